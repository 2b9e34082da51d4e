using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using MobileViT.Inference.Models;
using MobileViT.Inference.Models.Repository;

namespace MobileViT.Service.Tests.Models;

/// <summary>
/// <c>MobileViT__Repository__Control=poll</c>: the repository is read again every poll interval (a fake clock decides
/// when) and what changed is applied. A half-written version is ignored until complete, a broken one is reported and
/// not tried again until its files change, a Kubernetes-style <c>..data</c> symlink swap is read as a whole, and models
/// come and go with their directories.
/// </summary>
public sealed class RepositoryPollTests : IDisposable
{
    private readonly ModelRepositoryDirectory _repository = new();

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task New_versions_serve_after_the_next_poll_half_written_and_broken_ones_are_ignored_and_reported()
    {
        _repository.WriteVersion("m", 1, seed: 11);
        await using var service = await LiveModelService.StartAsync(_repository.Root, RepositoryOptions.Poll);
        var pixels = ModelRepositoryDirectory.Pixels(4);
        Assert.Empty(await service.PollAsync());

        // Half-written: its ONNX file is not there yet. Reported in the listing, never loaded; version 1 serves.
        _repository.WriteIncomplete("m", 2);
        await service.PollAsync();
        await RepositoryControlRestTests.AssertServedByAsync(service, pixels, "1", seed: 11);
        Assert.Equal("incomplete: no onnx/model.onnx", await ReasonAsync(service, 2));

        // Complete now: loaded beside version 1 at the next poll, then it serves and version 1 drains.
        var first = service.ServingEntry("m", 1);
        _repository.WriteVersion("m", 2, seed: 12);
        await RepositoryControlRestTests.WhileReadyAsync(service, service.PollAsync);
        await RepositoryControlRestTests.AssertServedByAsync(service, pixels, "2", seed: 12);
        await first.WhenIn(ModelState.Unloaded).WaitAsync(TimeSpan.FromMinutes(1));

        // Broken: complete but unreadable. It fails once, is reported (listing, metric, log), and version 2 keeps serving.
        _repository.WriteUnreadable("m", 3);
        var failed = Assert.Single(await service.PollAsync());
        Assert.Equal(3, Assert.Single(failed.Failed).Version);
        await RepositoryControlRestTests.AssertServedByAsync(service, pixels, "2", seed: 12);
        Assert.Equal("failed", (string?)(await VersionAsync(service, 3))["state"]);
        Assert.Contains(service.Logs.Entries, e => e.Message.Contains("Model m version 3", StringComparison.Ordinal) && e.Message.Contains("could not be loaded"));
        // Not tried again while its files stay the same.
        Assert.Empty(await service.PollAsync());
        Assert.Equal(1, MetricValue(await MetricsAsync(service), "mobilevit_model_load_failures_total", "model=\"m\"", "version=\"3\""));

        // Fixed: the next poll loads it.
        _repository.WriteVersion("m", 3, seed: 13);
        await service.PollAsync();
        await RepositoryControlRestTests.AssertServedByAsync(service, pixels, "3", seed: 13);
    }

    [Fact]
    public async Task A_repository_swapped_by_renaming_its_data_symlink_as_kubernetes_does_is_read_as_a_whole()
    {
        // root/m -> ..data/m, ..data -> ..2026_01_01.1: what the kubelet's atomic writer makes of a projected volume.
        var root = _repository.Root;
        _repository.WriteVersion("m", 1, seed: 11, root: Path.Combine(root, "..2026_01_01.1"));
        Directory.CreateSymbolicLink(Path.Combine(root, "..data"), "..2026_01_01.1");
        Directory.CreateSymbolicLink(Path.Combine(root, "m"), "..data/m");
        await using var service = await LiveModelService.StartAsync(root, RepositoryOptions.Poll);
        var pixels = ModelRepositoryDirectory.Pixels(5);
        await RepositoryControlRestTests.AssertServedByAsync(service, pixels, "1", seed: 11);

        // The next data: version 1 rebuilt and a version 2, in a new timestamped directory; then one rename swaps them in.
        var next = Path.Combine(root, "..2026_01_01.2");
        _repository.WriteVersion("m", 1, seed: 21, root: next);
        _repository.WriteVersion("m", 2, seed: 22, root: next);
        Directory.CreateSymbolicLink(Path.Combine(root, "..data_tmp"), "..2026_01_01.2");
        using (var rename = Process.Start("mv", ["-T", Path.Combine(root, "..data_tmp"), Path.Combine(root, "..data")]))
        {
            await rename.WaitForExitAsync();
            Assert.Equal(0, rename.ExitCode);
        }
        Directory.Delete(Path.Combine(root, "..2026_01_01.1"), recursive: true);

        await service.PollAsync();
        await RepositoryControlRestTests.AssertServedByAsync(service, pixels, "2", seed: 22);
    }

    [Fact]
    public async Task Models_come_and_go_with_their_directories_and_explicit_control_is_refused()
    {
        _repository.WriteVersion("a", 1, seed: 11);
        await using var service = await LiveModelService.StartAsync(_repository.Root, RepositoryOptions.Poll);

        _repository.WriteVersion("b", 1, seed: 12);
        await service.PollAsync();
        await RepositoryControlRestTests.AssertServedByAsync(service, ModelRepositoryDirectory.Pixels(6), "1", seed: 12, model: "b");

        Directory.Delete(Path.Combine(_repository.Root, "a"), recursive: true);
        await service.PollAsync();
        using var gone = await service.PostAsync("v2/models/a/infer", new { inputs = Array.Empty<object>() }, LiveModelService.ReaderKey);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(["b"], (await service.GetJsonAsync("v1/models"))["models"]!.AsArray().Select(m => (string?)m!["name"]));

        // While polling, the repository's directories decide: load and unload are refused, as in Triton.
        foreach (var path in new[] { "v2/repository/models/b/load", "v2/repository/models/b/unload" })
        {
            using var refused = await service.PostAsync(path, new { });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("not allowed while the repository is polled", (string?)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]);
        }
    }

    private static async Task<JsonNode> VersionAsync(LiveModelService service, int version) =>
        (await service.GetJsonAsync("v1/models/m"))["versions"]!.AsArray().First(v => (int)v!["version"]! == version)!;

    private static async Task<string?> ReasonAsync(LiveModelService service, int version) => (string?)(await VersionAsync(service, version))["reason"];

    /// <summary>The value of the one sample of <paramref name="metric"/> with all of <paramref name="labels"/> in a Prometheus scrape.</summary>
    internal static double MetricValue(string scrape, string metric, params string[] labels)
    {
        var line = Assert.Single(scrape.Split('\n'), l => l.StartsWith(metric + "{", StringComparison.Ordinal) && labels.All(l.Contains));
        // "name{labels} value" and, from some exporters, a timestamp after it.
        return double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static async Task<string> MetricsAsync(LiveModelService service)
    {
        // With keys configured, /metrics needs one (MobileViT__Auth__ProtectMetrics).
        using var request = new HttpRequestMessage(HttpMethod.Get, "metrics");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", LiveModelService.ReaderKey);
        using var response = await service.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }
}
