using CsCheck;
using UrlShortener.Core.Links;

namespace UrlShortener.Core.Tests.Links;

public class ShortCodeTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("my-launch_2026")]
    [InlineData("A1b2C3")]
    public void A_custom_alias_of_3_to_64_letters_digits_dashes_and_underscores_is_accepted(string alias) =>
        Assert.Null(ShortCode.CheckAlias(alias));

    [Fact]
    public void A_64_character_alias_is_accepted_and_65_is_not()
    {
        Assert.Null(ShortCode.CheckAlias(new string('a', 64)));
        Assert.NotNull(ShortCode.CheckAlias(new string('a', 65)));
    }

    [Theory]
    [InlineData("ab", "3 to 64")]
    [InlineData("has space", "only letters")]
    [InlineData("dot.ted", "only letters")]
    [InlineData("slash/ed", "only letters")]
    [InlineData("ümlaut", "only letters")]
    [InlineData("api", "reserved")]
    [InlineData("API", "reserved")]
    [InlineData("healthz", "reserved")]
    [InlineData("readyz", "reserved")]
    [InlineData("openapi", "reserved")]
    [InlineData("admin", "reserved")]
    [InlineData("runtime", "reserved")]
    public void A_bad_or_reserved_alias_is_refused_with_the_reason(string alias, string reason) =>
        Assert.Contains(reason, ShortCode.CheckAlias(alias), StringComparison.Ordinal);

    [Theory]
    [InlineData("favicon.ico")]
    [InlineData("")]
    [InlineData("a/b")]
    public void Paths_that_cannot_be_codes_are_not_well_formed(string path) =>
        Assert.False(ShortCode.IsWellFormed(path));

    [Fact]
    public void Any_text_is_an_alias_exactly_when_it_is_a_well_formed_unreserved_code_of_3_to_64_characters() =>
        Gen.OneOf(Gen.String, Gen.String[Gen.Char["A-Za-z0-9_.-"], 0, 70], Gen.OneOf(ShortCode.ReservedWords.ToArray()))
            .Sample(alias =>
            {
                var problem = ShortCode.CheckAlias(alias);
                var valid = alias.Length is >= ShortCode.MinAliasLength and <= ShortCode.MaxAliasLength
                    && alias.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
                    && !ShortCode.ReservedWords.Contains(alias);
                return valid ? problem is null && ShortCode.IsWellFormed(alias) : problem is { Length: > 0 };
            }, iter: 20_000);
}
