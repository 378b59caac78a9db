using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace UrlShortener.Core.Keys;

/// <summary>
/// A keyed bijection from counter values to codes: a balanced Feistel network over the smallest
/// even number of bits that covers 62^length values, cycle-walked so that every output stays inside
/// the code space. Consecutive counter values give unrelated codes; without the secret the next code
/// cannot be told from the previous ones. Not encryption: enough to make codes not guessable.
/// </summary>
public sealed class CodeScrambler
{
    private const int Rounds = 6;

    private readonly ulong[] _roundKeys = new ulong[Rounds];
    private readonly ulong _space;
    private readonly int _halfBits;
    private readonly ulong _halfMask;

    public CodeScrambler(string secret, int codeLength)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        CodeLength = codeLength;
        _space = Base62.SpaceSize(codeLength);

        var bits = 64 - System.Numerics.BitOperations.LeadingZeroCount(_space - 1);
        if (bits % 2 == 1)
        {
            bits++;
        }

        _halfBits = bits / 2;
        _halfMask = (1UL << _halfBits) - 1;

        Span<byte> digest = stackalloc byte[SHA512.HashSizeInBytes];
        SHA512.HashData(Encoding.UTF8.GetBytes(secret), digest);
        for (var i = 0; i < Rounds; i++)
        {
            _roundKeys[i] = BinaryPrimitives.ReadUInt64LittleEndian(digest[(i * 8)..]);
        }
    }

    public int CodeLength { get; }

    /// <summary>How many counter values (and codes) there are: 62^CodeLength.</summary>
    public ulong SpaceSize => _space;

    /// <summary>The code for a counter value; distinct values always give distinct codes.</summary>
    public string ToCode(ulong counterValue) => Base62.Encode(Scramble(counterValue), CodeLength);

    public ulong Scramble(ulong value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(value, _space);
        do
        {
            value = Forward(value);
        }
        while (value >= _space);

        return value;
    }

    public ulong Unscramble(ulong value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(value, _space);
        do
        {
            value = Backward(value);
        }
        while (value >= _space);

        return value;
    }

    private ulong Forward(ulong value)
    {
        var left = value >> _halfBits;
        var right = value & _halfMask;
        for (var i = 0; i < Rounds; i++)
        {
            var next = left ^ (Mix(right ^ _roundKeys[i]) & _halfMask);
            left = right;
            right = next;
        }

        return (left << _halfBits) | right;
    }

    private ulong Backward(ulong value)
    {
        var left = value >> _halfBits;
        var right = value & _halfMask;
        for (var i = Rounds - 1; i >= 0; i--)
        {
            var previous = right ^ (Mix(left ^ _roundKeys[i]) & _halfMask);
            right = left;
            left = previous;
        }

        return (left << _halfBits) | right;
    }

    // The 64-bit finalizer of MurmurHash3: every input bit affects every output bit.
    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return x;
    }
}
