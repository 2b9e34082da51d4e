using MobileViT.Inference.Access;

namespace MobileViT.Inference.Tests.Access;

/// <summary>The key file format (a Kubernetes Secret mounted as a file), the bearer header and key matching.</summary>
public sealed class ApiKeyFileTests
{
    [Fact]
    public void Comments_blank_lines_and_CRLF_are_ignored_and_a_key_may_contain_colons()
    {
        var keys = ApiKeyFile.Parse("# team keys\r\n\r\n  team-a:abc:def  \r\nbatch.jobs:xyz permits_per_second=2.5 burst=10\r\n", "keys");

        Assert.Equal(["team-a", "batch.jobs"], keys.Names);
        Assert.Equal("team-a", keys.Authenticate("abc:def")?.Name);
        Assert.Null(keys.Find("team-a")!.RateLimit);
        Assert.Equal(new ClientRateLimit { PermitsPerSecond = 2.5, Burst = 10 }, keys.Find("batch.jobs")!.RateLimit);
    }

    [Theory]
    [InlineData("no-colon-secret-1", "line 1")]
    [InlineData(":secret-2", "line 1")]
    [InlineData("name:", "line 1")]
    [InlineData("# c\nsp ace:secret-3", "line 2")]
    [InlineData("a:secret-4 burst=2", "needs permits_per_second")]
    [InlineData("a:secret-5 permits_per_second=0", "positive")]
    [InlineData("a:secret-6\na:secret-7", "used twice")]
    public void A_bad_line_is_an_error_that_names_where_and_never_the_key(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => ApiKeyFile.Parse(text, "keys"));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain("secret-", error.Message);
    }

    [Fact]
    public void Only_the_exact_key_matches()
    {
        var keys = ApiKeyFile.Parse("a:key-a-123\nb:key-b-456\n", "keys");

        Assert.Equal("b", keys.Authenticate("key-b-456")?.Name);
        Assert.Null(keys.Authenticate("key-b-45"));
        Assert.Null(keys.Authenticate("key-b-4567"));
        Assert.Null(keys.Authenticate("KEY-B-456"));
        Assert.Null(keys.Authenticate(""));
        Assert.Null(keys.Authenticate(null));
    }
}
