namespace UrlShortener.Core.Keys;

/// <summary>Fixed-length Base62 (<c>0-9A-Za-z</c>) encoding of counter values.</summary>
public static class Base62
{
    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>Longest code whose space (62^length) still fits in a <see cref="ulong"/>.</summary>
    public const int MaxLength = 10;

    /// <summary>How many distinct codes of <paramref name="length"/> characters exist: 62^length.</summary>
    public static ulong SpaceSize(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxLength);
        ulong size = 1;
        for (var i = 0; i < length; i++)
        {
            size *= 62;
        }

        return size;
    }

    /// <summary>Encodes <paramref name="value"/> as exactly <paramref name="length"/> characters, left-padded with '0'.</summary>
    public static string Encode(ulong value, int length)
    {
        if (value >= SpaceSize(length))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"Does not fit in {length} Base62 characters.");
        }

        return string.Create(length, value, static (span, v) =>
        {
            for (var i = span.Length - 1; i >= 0; i--)
            {
                span[i] = Alphabet[(int)(v % 62)];
                v /= 62;
            }
        });
    }

    public static bool TryDecode(ReadOnlySpan<char> text, out ulong value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in text)
        {
            var digit = DigitOf(c);
            if (digit < 0)
            {
                value = 0;
                return false;
            }

            value = (value * 62) + (ulong)digit;
        }

        return true;
    }

    public static bool IsBase62(char c) => DigitOf(c) >= 0;

    private static int DigitOf(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'Z' => c - 'A' + 10,
        >= 'a' and <= 'z' => c - 'a' + 36,
        _ => -1,
    };
}
