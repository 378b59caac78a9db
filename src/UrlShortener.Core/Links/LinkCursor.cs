using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;

namespace UrlShortener.Core.Links;

/// <summary>
/// A position in an owner's newest-first list: the (CreatedAt, Code) of the last link returned.
/// Opaque to clients (base64url), the same for every store.
/// </summary>
public readonly record struct LinkCursor(DateTimeOffset CreatedAt, string Code)
{
    public static LinkCursor After(ShortLink link) => new(link.CreatedAt, link.Code);

    public string Encode()
    {
        var code = Encoding.UTF8.GetBytes(Code);
        var bytes = new byte[8 + code.Length];
        BinaryPrimitives.WriteInt64BigEndian(bytes, CreatedAt.ToUnixTimeMilliseconds());
        code.CopyTo(bytes, 8);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryDecode(string? text, out LinkCursor cursor)
    {
        cursor = default;
        // Base64Url's decoders throw rather than answer false on foreign characters and on a length of 4n + 1.
        if (string.IsNullOrEmpty(text) || text.Length > 200 || text.Length % 4 == 1
            || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Base64Url.GetMaxDecodedLength(text.Length)];
        int written;
        try
        {
            if (!Base64Url.TryDecodeFromChars(text, bytes, out written) || written <= 8)
            {
                return false;
            }
        }
        catch (FormatException)
        {
            return false;
        }

        var millis = BinaryPrimitives.ReadInt64BigEndian(bytes);
        var code = Encoding.UTF8.GetString(bytes[8..written]);
        if (millis < 0 || millis > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds() || !ShortCode.IsWellFormed(code))
        {
            return false;
        }

        var decoded = new LinkCursor(DateTimeOffset.FromUnixTimeMilliseconds(millis), code);

        // Only the spelling Encode gives: "AB" and "AC" must not both name one position.
        if (!string.Equals(decoded.Encode(), text, StringComparison.Ordinal))
        {
            return false;
        }

        cursor = decoded;
        return true;
    }
}
