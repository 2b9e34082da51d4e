using System.Diagnostics;
using System.Text.Json.Nodes;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Grpc;

/// <summary>
/// An independent client stack against the running service: Node's @grpc/grpc-js with @grpc/proto-loader (loading the
/// repository's .proto files) calls Classify, ClassifyStream and ModelInfer, and grpc-health-check's proto calls Check.
/// Needs <c>npm ci</c> in tests/interop (.ci/run does it).
/// </summary>
public sealed class NodeGrpcInteropTests(SmallModelServiceFixture fixture) : IClassFixture<SmallModelServiceFixture>
{
    private static readonly string InteropDirectory = Path.Combine(SharedFixtures.RepositoryRoot, "tests", "interop");

    [Fact]
    public async Task Node_grpc_js_client_calls_every_classifier_rpc_model_infer_and_health()
    {
        Assert.True(Directory.Exists(Path.Combine(InteropDirectory, "node_modules", "@grpc", "grpc-js")),
            $"The Node interop client's packages are missing: run `npm ci` in {InteropDirectory} (.ci/run does).");
        var image = Path.Combine(SharedFixtures.Preprocess, "noise_300x517.jpg");
        var address = $"{fixture.Service.GrpcAddress.Host}:{fixture.Service.GrpcAddress.Port}";

        var (exitCode, stdout, stderr) = await RunNodeAsync(Path.Combine(InteropDirectory, "client.js"), address, image);

        Assert.True(exitCode == 0, $"node exited with {exitCode}: {stderr}{stdout}");
        var result = JsonNode.Parse(stdout.Trim().Split('\n').Last())!;
        Assert.Equal("tiny", (string?)result["classify"]!["model"]);
        Assert.True((bool)result["classify"]!["synthetic"]!);
        Assert.Equal(3, result["classify"]!["predictions"]!.AsArray().Count);

        var stream = result["stream"]!.AsArray();
        Assert.Equal(41, stream.Count);
        var ids = stream.Select(r => (string)r!["id"]!).ToHashSet();
        Assert.All(Enumerable.Range(0, 40), i => Assert.Contains($"node-{i}", ids));
        Assert.All(stream.Where(r => (string?)r!["id"] != "node-bad"), r => Assert.Equal("result", (string?)r!["outcome"]));
        var bad = stream.Single(r => (string?)r!["id"] == "node-bad")!;
        Assert.Equal("error", (string?)bad["outcome"]);
        Assert.Equal(3, (int)bad["code"]!); // INVALID_ARGUMENT

        Assert.Equal("node-infer", (string?)result["infer"]!["id"]);
        Assert.Equal("logits", (string?)result["infer"]!["name"]);
        Assert.Equal("[1,1000]", result["infer"]!["shape"]!.ToJsonString());
        Assert.Equal(1000, (int)result["infer"]!["values"]!);
        Assert.Equal("SERVING", (string?)result["health"]);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunNodeAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = InteropDirectory };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The node interop client did not finish within 2 minutes.");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
