using System.Text.Json;
using MobileViT.Cli;
using MobileViT.Service.Testing;

namespace MobileViT.Cli.Tests;

/// <summary><c>mobilevit bench --api-key</c> against a real service that needs a key, over HTTP and gRPC.</summary>
public sealed class BenchApiKeyTests : IAsyncLifetime
{
    private const string Key = "bench-test-key-0123456789";
    private static readonly string Images = Path.Combine(SharedFixtures.RepositoryRoot, "benchmarks", "images");
    private RunningService _service = null!;

    public async Task InitializeAsync() => _service = await RunningService.StartAsync(new Dictionary<string, string>(RunningService.SmallModel())
    {
        ["MobileViT:Auth:ApiKeys:0"] = $"bench:{Key}",
        ["MobileViT:Auth:MaxFailedAttempts"] = "100000",
    });

    public async Task DisposeAsync() => await _service.DisposeAsync();

    private JsonElement Bench(string protocol, params string[] extra)
    {
        var json = Path.Combine(Path.GetTempPath(), $"bench-key-{Guid.NewGuid():N}.json");
        CliApp.Run(["bench", "--url", _service.BaseAddress.ToString(), "--grpc-url", _service.GrpcAddress.ToString(), "--protocol", protocol,
            "--concurrency", "2", "--duration", "1", "--warmup", "0.2", "--images", Images, "--json", json, .. extra], TextWriter.Null, TextWriter.Null);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        File.Delete(json);
        return report.RootElement.GetProperty("points").EnumerateArray().Single().Clone();
    }

    [Theory]
    [InlineData("http")]
    [InlineData("grpc")]
    public void With_the_key_every_request_is_served_and_without_it_none(string protocol)
    {
        var keyed = Bench(protocol, "--api-key", Key);
        var keyless = Bench(protocol);

        Assert.True(keyed.GetProperty("completed").GetInt64() > 0);
        Assert.Empty(keyed.GetProperty("errors").EnumerateObject());
        Assert.Equal(0, keyless.GetProperty("completed").GetInt64());
        Assert.NotEmpty(keyless.GetProperty("errors").EnumerateObject());
    }
}
