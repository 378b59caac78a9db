using CsCheck;
using UrlShortener.Core.Links;

namespace UrlShortener.Core.Tests.Links;

public class LinkPasswordTests
{
    private static readonly string Hashed = LinkPassword.Hash("correct horse");

    [Fact]
    public void The_hash_verifies_its_password_and_no_other()
    {
        Assert.StartsWith($"pbkdf2-sha512${LinkPassword.Iterations}$", Hashed, StringComparison.Ordinal);
        Assert.DoesNotContain("correct horse", Hashed, StringComparison.Ordinal);
        Assert.True(LinkPassword.Verify(Hashed, "correct horse"));
        Assert.False(LinkPassword.Verify(Hashed, "correct horse "));
        Assert.False(LinkPassword.Verify(Hashed, "Correct horse"));
        Assert.False(LinkPassword.Verify(Hashed, string.Empty));
    }

    [Fact]
    public void The_same_password_hashes_differently_each_time_and_so_does_its_stamp()
    {
        var again = LinkPassword.Hash("correct horse");

        Assert.NotEqual(Hashed, again);
        Assert.True(LinkPassword.Verify(again, "correct horse"));
        Assert.NotEqual(LinkPassword.StampOf(Hashed), LinkPassword.StampOf(again));
        Assert.Equal(16, LinkPassword.StampOf(Hashed).Length);
    }

    [Fact]
    public void A_hash_stored_with_fewer_iterations_still_verifies()
    {
        var salt = new byte[16];
        var subkey = System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2("old"u8, salt, 1000, System.Security.Cryptography.HashAlgorithmName.SHA512, 32);
        Assert.True(LinkPassword.Verify($"pbkdf2-sha512$1000${Convert.ToBase64String(salt)}${Convert.ToBase64String(subkey)}", "old"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("pbkdf2-sha512")]
    [InlineData("pbkdf2-sha256$100000$AAAA$AAAA")]
    [InlineData("pbkdf2-sha512$0$AAAA$AAAA")]
    [InlineData("pbkdf2-sha512$-5$AAAA$AAAA")]
    [InlineData("pbkdf2-sha512$999999999$AAAA$AAAA")]
    [InlineData("pbkdf2-sha512$1000$not base64!$AAAA")]
    [InlineData("pbkdf2-sha512$1000$AAAA$")]
    [InlineData("pbkdf2-sha512$1000$AAAA$AAAA$extra")]
    public void A_hash_it_cannot_read_verifies_nothing(string hash) =>
        Assert.False(LinkPassword.Verify(hash, "anything"));

    [Fact]
    public void Any_stored_text_either_verifies_or_not_but_never_throws() =>
        Gen.String.Sample(hash => Assert.False(LinkPassword.Verify(hash, "x")), iter: 2000);

    [Theory]
    [InlineData("", false)]
    [InlineData("a", true)]
    [InlineData("  spaces count  ", true)]
    public void A_password_is_one_to_256_characters(string password, bool fine)
    {
        Assert.Equal(fine, LinkPassword.Check(password) is null);
        Assert.Null(LinkPassword.Check(new string('x', LinkPassword.MaxLength)));
        Assert.NotNull(LinkPassword.Check(new string('x', LinkPassword.MaxLength + 1)));
    }

    [Fact]
    public void A_link_with_a_hash_carries_its_stamp_and_a_copy_without_the_hash_keeps_it()
    {
        var link = Link() with { PasswordHash = Hashed };
        Assert.True(link.PasswordProtected);
        Assert.Equal(LinkPassword.StampOf(Hashed), link.PasswordStamp);

        var cached = System.Text.Json.JsonSerializer.Serialize(link);
        Assert.DoesNotContain("pbkdf2", cached, StringComparison.Ordinal);
        var back = System.Text.Json.JsonSerializer.Deserialize<ShortLink>(cached)!;
        Assert.Null(back.PasswordHash);
        Assert.True(back.PasswordProtected);
        Assert.Equal(link.PasswordStamp, back.PasswordStamp);

        Assert.False((link with { PasswordHash = null }).PasswordProtected);
    }

    internal static ShortLink Link(string code = "Abc1234") => new()
    {
        Code = code,
        Owner = "owner-a",
        Url = "https://example.com/secret",
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
    };
}

public class UnlockTokensTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
    private readonly UnlockTokens _tokens = new("a code secret of some length");
    private readonly ShortLink _link = LinkPasswordTests.Link() with { PasswordHash = LinkPassword.Hash("pw") };

    [Fact]
    public void A_token_unlocks_its_link_until_it_expires()
    {
        var token = _tokens.Issue(_link, Now.AddMinutes(30));

        Assert.True(_tokens.Unlocks(_link, token, Now));
        Assert.True(_tokens.Unlocks(_link, token, Now.AddMinutes(29)));
        Assert.False(_tokens.Unlocks(_link, token, Now.AddMinutes(30)));
    }

    [Fact]
    public void A_token_unlocks_no_other_link_no_new_password_and_nothing_under_another_secret()
    {
        var token = _tokens.Issue(_link, Now.AddMinutes(30));

        Assert.False(_tokens.Unlocks(_link with { Code = "Other12" }, token, Now));
        Assert.False(_tokens.Unlocks(_link with { PasswordHash = LinkPassword.Hash("pw") }, token, Now));
        Assert.False(new UnlockTokens("another secret entirely").Unlocks(_link, token, Now));
    }

    [Fact]
    public void A_token_with_a_later_expiry_written_in_is_refused()
    {
        var token = _tokens.Issue(_link, Now.AddMinutes(30));
        var later = (Now.AddDays(30).ToUnixTimeSeconds()).ToString(System.Globalization.CultureInfo.InvariantCulture) + token[token.IndexOf('.')..];

        Assert.False(_tokens.Unlocks(_link, later, Now));
    }

    [Fact]
    public void Any_cookie_text_is_refused_without_throwing() =>
        Gen.OneOf(Gen.String, Gen.Select(Gen.Long[0, long.MaxValue], Gen.String[Gen.Char["0-9a-fA-F."], 0, 40], (seconds, mac) => $"{seconds}.{mac}"))
            .Sample(text => Assert.False(_tokens.Unlocks(_link, text, Now)), iter: 5000);
}
