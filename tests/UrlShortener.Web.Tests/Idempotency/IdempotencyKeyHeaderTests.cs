using CsCheck;
using UrlShortener.Web.Idempotency;

namespace UrlShortener.Web.Tests.Idempotency;

public class IdempotencyKeyHeaderTests
{
    private static readonly Gen<string> VisibleText = Gen.String[Gen.Char[' ', '~'], 1, 255].Where(s => s.Trim().Length > 0);

    [Theory]
    [InlineData("\"8e03978e-40d5-43e8-bc93-6894a57f9324\"", "8e03978e-40d5-43e8-bc93-6894a57f9324")]
    [InlineData("8e03978e-40d5-43e8-bc93-6894a57f9324", "8e03978e-40d5-43e8-bc93-6894a57f9324")]
    [InlineData("  \"a b\"  ", "a b")]
    [InlineData("\"say \\\"hi\\\" \\\\ bye\"", "say \"hi\" \\ bye")]
    public void Reads_a_structured_field_string_or_a_bare_key(string header, string key)
    {
        Assert.True(IdempotencyKeyHeader.TryParse(header, out var parsed));
        Assert.Equal(key, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\"\"")]
    [InlineData("\"   \"")]
    [InlineData("\"unterminated")]
    [InlineData("\"a\";p=1")]
    [InlineData("\"a\", \"b\"")]
    [InlineData("a,b")]
    [InlineData("a b")]
    [InlineData("\"bad \\n escape\"")]
    [InlineData("\"caf\u00e9\"")]
    [InlineData("tab\there")]
    public void Refuses_anything_that_is_not_one_key(string header) =>
        Assert.False(IdempotencyKeyHeader.TryParse(header, out _));

    [Fact]
    public void Any_visible_ascii_key_survives_being_written_as_a_structured_field_string() =>
        VisibleText.Sample(key =>
        {
            var header = "\"" + key.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
            Assert.True(IdempotencyKeyHeader.TryParse(header, out var parsed), header);
            Assert.Equal(key, parsed);
        });

    [Fact]
    public void Keys_longer_than_255_characters_are_refused_in_either_form()
    {
        var key = new string('k', 256);
        Assert.False(IdempotencyKeyHeader.TryParse(key, out _));
        Assert.False(IdempotencyKeyHeader.TryParse($"\"{key}\"", out _));
        Assert.True(IdempotencyKeyHeader.TryParse(key[..255], out _));
    }

    [Fact]
    public void No_header_value_makes_the_parser_throw_and_a_key_it_gives_is_always_1_to_255_visible_characters() =>
        Gen.String.Sample(text =>
        {
            if (IdempotencyKeyHeader.TryParse(text, out var key))
            {
                Assert.InRange(key.Length, 1, 255);
                Assert.All(key, c => Assert.InRange(c, ' ', '~'));
            }
        });
}
