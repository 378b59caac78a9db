using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace UrlShortener.Core.Links;

/// <summary>
/// A link's password, kept only as a PBKDF2 hash: HMAC-SHA512, 100,000 iterations, a 16-byte random salt and a
/// 32-byte subkey (ASP.NET Core Identity's V3 parameters), written <c>pbkdf2-sha512$iterations$salt$subkey</c> so
/// that a later, stronger setting still verifies what was stored before it.
/// </summary>
public static class LinkPassword
{
    public const int MaxLength = 256;
    public const int Iterations = 100_000;
    private const string Scheme = "pbkdf2-sha512";
    private const int SaltBytes = 16;
    private const int SubkeyBytes = 32;

    // What a stored hash may ask for: a forged or damaged one must not make a verify run for minutes.
    private const int MaxIterations = 10_000_000;

    /// <summary>What is wrong with <paramref name="password"/> as a link's password, or null when nothing is.</summary>
    public static string? Check(string password) => password.Length switch
    {
        0 => "must not be empty: leave it out (or null on a change) for a link without a password.",
        > MaxLength => $"must be at most {MaxLength} characters.",
        _ => null,
    };

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var subkey = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA512, SubkeyBytes);
        return string.Create(CultureInfo.InvariantCulture, $"{Scheme}${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(subkey)}");
    }

    /// <summary>True when <paramref name="password"/> is the one <paramref name="hash"/> was made of; false for any other, or a hash it cannot read.</summary>
    public static bool Verify(string hash, string password)
    {
        var parts = hash.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations is < 1 or > MaxIterations)
        {
            return false;
        }

        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }

        if (expected.Length == 0 || password.Length > MaxLength)
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>
    /// A short value that changes with the password: unlock cookies are signed over it, so a new password ends
    /// them. Caches carry it in place of the hash.
    /// </summary>
    public static string StampOf(string hash)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("urlshortener password stamp\n" + hash), digest);
        return Convert.ToHexStringLower(digest[..8]);
    }
}

/// <summary>
/// Signs and checks the cookie that unlocks one password-protected link for a while:
/// <c>expiry.mac</c>, the MAC an HMAC-SHA256 of (code, password stamp, expiry) under a key derived from the code
/// secret. Every instance derives the same key, so no key ring has to be shared (as ASP.NET Core Data Protection
/// would need).
/// </summary>
public sealed class UnlockTokens(string secret)
{
    private readonly byte[] _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, info: "urlshortener unlock cookie"u8.ToArray());
    private const int MacBytes = 16;

    public string Issue(ShortLink link, DateTimeOffset expires)
    {
        var seconds = expires.ToUnixTimeSeconds();
        return string.Create(CultureInfo.InvariantCulture, $"{seconds}.{Convert.ToHexStringLower(Mac(link.Code, link.PasswordStamp, seconds))}");
    }

    /// <summary>True when <paramref name="token"/> was issued for this link and its current password, and has not expired.</summary>
    public bool Unlocks(ShortLink link, ReadOnlySpan<char> token, DateTimeOffset now)
    {
        var dot = token.IndexOf('.');
        if (dot <= 0 || !long.TryParse(token[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds <= now.ToUnixTimeSeconds())
        {
            return false;
        }

        var hex = token[(dot + 1)..];
        Span<byte> given = stackalloc byte[MacBytes];
        if (hex.Length != MacBytes * 2 || Convert.FromHexString(hex, given, out _, out var written) != System.Buffers.OperationStatus.Done || written != MacBytes)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(given, Mac(link.Code, link.PasswordStamp, seconds));
    }

    private byte[] Mac(string code, string? stamp, long seconds)
    {
        var input = Encoding.UTF8.GetBytes($"{code}\n{stamp}\n");
        var buffer = new byte[input.Length + 8];
        input.CopyTo(buffer, 0);
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(input.Length), seconds);
        return HMACSHA256.HashData(_key, buffer)[..MacBytes];
    }
}
