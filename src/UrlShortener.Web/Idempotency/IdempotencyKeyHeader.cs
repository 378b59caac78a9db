using System.Text;
using UrlShortener.Core.Idempotency;

namespace UrlShortener.Web.Idempotency;

/// <summary>
/// The <c>Idempotency-Key</c> request header (draft-ietf-httpapi-idempotency-key-header): a structured-field
/// string such as <c>"8e03978e-40d5-43e8-bc93-6894a57f9324"</c>. The bare form many clients send is taken too.
/// </summary>
public static class IdempotencyKeyHeader
{
    public const string Name = "Idempotency-Key";

    /// <summary>Marks an answer given again for a key seen before.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    public const string Rule = "must be one string of 1 to 255 visible ASCII characters, e.g. \"8e03978e-40d5-43e8-bc93-6894a57f9324\".";

    /// <summary>The key in <paramref name="value"/>, or false when it is not one.</summary>
    public static bool TryParse(string? value, out string key)
    {
        key = string.Empty;
        var text = (value ?? string.Empty).Trim(' ', '\t');
        if (text.Length == 0)
        {
            return false;
        }

        if (text[0] != '"')
        {
            // Bare: visible ASCII without the characters that would make it a list, a parameter or a string.
            foreach (var c in text)
            {
                if (c is < '!' or > '~' or '"' or ',' or ';' or '\\')
                {
                    return false;
                }
            }

            key = text;
            return text.Length <= IdempotencyScope.MaxKeyLength;
        }

        // sf-string: DQUOT *( unescaped / "\" ( DQUOTE / "\" ) ) DQUOTE, unescaped = %x20-21 / %x23-5B / %x5D-7E.
        var builder = new StringBuilder(text.Length);
        for (var i = 1; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\')
            {
                if (++i >= text.Length || text[i] is not ('"' or '\\'))
                {
                    return false;
                }

                builder.Append(text[i]);
            }
            else if (c == '"')
            {
                // The closing quote ends the field: nothing may follow it.
                if (i != text.Length - 1 || builder.Length is 0 or > IdempotencyScope.MaxKeyLength || builder.ToString().Trim().Length == 0)
                {
                    return false;
                }

                key = builder.ToString();
                return true;
            }
            else if (c is < ' ' or > '~')
            {
                return false;
            }
            else
            {
                builder.Append(c);
            }
        }

        return false;
    }
}
