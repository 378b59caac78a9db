using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace UrlShortener.Core.Clicks;

/// <summary>
/// An approximate count of distinct visitors: a HyperLogLog (Flajolet et al., 2007) of 2^14 registers, about 0.8 %
/// standard error, with linear counting below 2.5 × 2^14 as HyperLogLog++ does. Sketches merge by the larger
/// register, so adding the same visitor or the same message twice changes nothing. No HyperLogLog package is
/// served here, and the algorithm is a page.
/// </summary>
public sealed class VisitorSketch
{
    public const int Precision = 14;
    public const int RegisterCount = 1 << Precision;

    /// <summary>The largest rank a 64-bit hash gives with <see cref="Precision"/> bits taken for the register.</summary>
    public const int MaxRank = 64 - Precision + 1;

    private const byte SparseFormat = 1;
    private const byte DenseFormat = 2;
    private const int SparseEntryBytes = 3;

    // A link's day mostly has few visitors: its registers are kept sparse (register → rank) until this many are set,
    // so that a stats read merges and estimates a few entries, not 16,384 registers a day.
    private const int SparseLimit = RegisterCount / 16;

    private Dictionary<int, byte>? _sparse = [];
    private byte[]? _dense;

    public bool IsEmpty { get; private set; } = true;

    /// <summary>
    /// What a visit adds to a sketch: its register (the hash's top 14 bits) and rank (one more than the leading
    /// zeros of the other 50), as <c>register × 64 + rank</c>. It is all a click carries of its visitor.
    /// </summary>
    public static int Mark(ulong hash)
    {
        var register = (int)(hash >> (64 - Precision));
        var rank = BitOperations.LeadingZeroCount((hash << Precision) | (1UL << (Precision - 1))) + 1;
        return (register << 6) | rank;
    }

    /// <summary>True for a value <see cref="Mark"/> can give.</summary>
    public static bool IsMark(int mark) => mark >= 0 && (mark >> 6) < RegisterCount && (mark & 63) is >= 1 and <= MaxRank;

    public void Add(int mark)
    {
        if (IsMark(mark))
        {
            Raise(mark >> 6, (byte)(mark & 63));
        }
    }

    public void Merge(VisitorSketch other)
    {
        if (other._dense is { } dense)
        {
            for (var i = 0; i < RegisterCount; i++)
            {
                if (dense[i] != 0)
                {
                    Raise(i, dense[i]);
                }
            }
        }
        else
        {
            foreach (var (register, rank) in other._sparse!)
            {
                Raise(register, rank);
            }
        }
    }

    private void Raise(int register, byte rank)
    {
        IsEmpty = false;
        if (_dense is { } dense)
        {
            dense[register] = Math.Max(dense[register], rank);
            return;
        }

        var sparse = _sparse!;
        if (!sparse.TryGetValue(register, out var kept) || kept < rank)
        {
            sparse[register] = rank;
        }

        if (sparse.Count > SparseLimit)
        {
            _dense = new byte[RegisterCount];
            foreach (var (at, value) in sparse)
            {
                _dense[at] = value;
            }

            _sparse = null;
        }
    }

    // 2^-rank for every rank a register can hold.
    private static readonly double[] InversePowers = [.. Enumerable.Range(0, MaxRank + 1).Select(rank => Math.ScaleB(1.0, -rank))];

    public long Estimate()
    {
        if (IsEmpty)
        {
            return 0;
        }

        double sum;
        int zeros;
        if (_dense is { } dense)
        {
            sum = 0;
            zeros = 0;
            foreach (var register in dense)
            {
                sum += InversePowers[register];
                zeros += register == 0 ? 1 : 0;
            }
        }
        else
        {
            // Every register not listed is 0 and adds 2^0.
            zeros = RegisterCount - _sparse!.Count;
            sum = zeros;
            foreach (var rank in _sparse.Values)
            {
                sum += InversePowers[rank];
            }
        }

        const double m = RegisterCount;
        var raw = 0.7213 / (1 + (1.079 / m)) * m * m / sum;
        var estimate = raw <= 2.5 * m && zeros > 0 ? m * Math.Log(m / zeros) : raw;
        return (long)Math.Round(estimate);
    }

    /// <summary>
    /// The stored form: format 1 lists the set registers in order (2 bytes register, 1 byte rank) while that is
    /// shorter than format 2, every register in one byte. A link with few visitors stores a few bytes.
    /// </summary>
    public byte[] ToBytes()
    {
        var set = new List<(int Register, byte Rank)>();
        if (_dense is { } dense)
        {
            for (var i = 0; i < RegisterCount; i++)
            {
                if (dense[i] != 0)
                {
                    set.Add((i, dense[i]));
                }
            }

            if (set.Count * SparseEntryBytes >= RegisterCount)
            {
                return [DenseFormat, .. dense];
            }
        }
        else
        {
            set.AddRange(_sparse!.Select(e => (e.Key, e.Value)).OrderBy(e => e.Key));
        }

        var bytes = new byte[1 + (set.Count * SparseEntryBytes)];
        bytes[0] = SparseFormat;
        var at = 1;
        foreach (var (register, rank) in set)
        {
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at), (ushort)register);
            bytes[at + 2] = rank;
            at += SparseEntryBytes;
        }

        return bytes;
    }

    /// <summary>Reads <see cref="ToBytes"/>; what does not fit the format (a register or rank out of range) is left out.</summary>
    public static VisitorSketch FromBytes(ReadOnlySpan<byte> bytes)
    {
        var sketch = new VisitorSketch();
        if (bytes.Length == 1 + RegisterCount && bytes[0] == DenseFormat)
        {
            for (var i = 0; i < RegisterCount; i++)
            {
                sketch.Add((i << 6) | bytes[1 + i]);
            }
        }
        else if (bytes.Length > 0 && bytes[0] == SparseFormat)
        {
            for (var at = 1; at + SparseEntryBytes <= bytes.Length; at += SparseEntryBytes)
            {
                sketch.Add((BinaryPrimitives.ReadUInt16BigEndian(bytes[at..]) << 6) | bytes[at + 2]);
            }
        }

        return sketch;
    }
}

/// <summary>
/// A visitor's mark for a day: an HMAC-SHA256 of (client address, User-Agent) under that day's salt, cut to a
/// <see cref="VisitorSketch.Mark"/>. The day's salt is an HMAC of the day under a key derived from the code
/// secret: every instance draws the same, it changes at midnight UTC, and neither the address nor the hash is
/// kept anywhere.
/// </summary>
public sealed class VisitorMarks(string secret)
{
    private readonly byte[] _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, info: "urlshortener visitor salt"u8.ToArray());
    // Longer User-Agents are cut: past this they only add bytes to hash.
    private const int MaxAgentChars = 512;
    private DaySalt _today = new(DateOnly.MinValue, []);

    /// <param name="address">The client's address bytes (an IPv6 client's /64 prefix).</param>
    public int Mark(DateOnly day, ReadOnlySpan<byte> address, string? userAgent)
    {
        var agent = userAgent.AsSpan();
        agent = agent[..Math.Min(agent.Length, MaxAgentChars)];
        Span<byte> input = stackalloc byte[16 + 1 + (3 * MaxAgentChars)];
        address = address[..Math.Min(address.Length, 16)];
        address.CopyTo(input);
        input[address.Length] = (byte)'\n';
        var written = Encoding.UTF8.GetBytes(agent, input[(address.Length + 1)..]);

        Span<byte> hash = stackalloc byte[32];
        var hmac = HmacOf(day);
        hmac.AppendData(input[..(address.Length + 1 + written)]);
        hmac.GetHashAndReset(hash);
        return VisitorSketch.Mark(BinaryPrimitives.ReadUInt64BigEndian(hash));
    }

    // A keyed HMAC kept per thread and reset after each use costs a third of a one-shot HMACSHA256.HashData, which
    // sets the key up again every time; this runs on every human redirect.
    [ThreadStatic]
    private static ThreadHmac? _threadHmac;

    private IncrementalHash HmacOf(DateOnly day)
    {
        if (_threadHmac is { } kept && kept.Owner == this && kept.Day == day)
        {
            return kept.Hash;
        }

        _threadHmac?.Hash.Dispose();
        _threadHmac = new ThreadHmac(this, day, IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, SaltOf(day)));
        return _threadHmac.Hash;
    }

    private byte[] SaltOf(DateOnly day)
    {
        var today = _today;
        if (today.Day == day)
        {
            return today.Salt;
        }

        Span<byte> name = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(name, day.DayNumber);
        var salt = HMACSHA256.HashData(_key, name);
        _today = new DaySalt(day, salt);
        return salt;
    }

    private sealed record ThreadHmac(VisitorMarks Owner, DateOnly Day, IncrementalHash Hash);

    private sealed record DaySalt(DateOnly Day, byte[] Salt);
}
