using System.Net;
using System.Text.Json.Nodes;
using MobileViT.Inference.Models;

namespace MobileViT.Service.Tests.Models;

/// <summary>
/// Triton's model repository extension over REST, as <c>tritonclient.http</c> calls it (index with an empty body, load
/// with <c>{}</c> or <c>{"parameters": {"config": ...}}</c>, unload with <c>unload_dependents</c>): a new version loads
/// beside the serving one and takes over, a reload picks up changed files, an unload stops the model, and readiness
/// stays true throughout; every answer is the one the version's own graph computes.
/// </summary>
public sealed class RepositoryControlRestTests : IDisposable
{
    private readonly ModelRepositoryDirectory _repository = new();

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task Load_reload_and_unload_change_what_serves_and_the_index_says_so()
    {
        _repository.WriteVersion("m", 1, seed: 11);
        await using var service = await LiveModelService.StartAsync(_repository.Root);
        var pixels = ModelRepositoryDirectory.Pixels(1);
        await AssertServedByAsync(service, pixels, "1", seed: 11);

        // A new version: loaded and warmed beside version 1, then it takes the traffic and version 1 drains away.
        _repository.WriteVersion("m", 2, seed: 12);
        var first = service.ServingEntry("m", 1);
        await WhileReadyAsync(service, async () =>
        {
            using var load = await service.PostAsync("v2/repository/models/m/load", new { });
            Assert.Equal(HttpStatusCode.OK, load.StatusCode);
        });
        await AssertServedByAsync(service, pixels, "2", seed: 12);
        await first.WhenIn(ModelState.Unloaded).WaitAsync(TimeSpan.FromMinutes(1));
        var index = await IndexAsync(service);
        Assert.Equal(("m", "1", "UNAVAILABLE"), Row(index, "1"));
        Assert.Contains("not selected by the version policy (latest 1)", (string?)index.Single(r => (string?)r!["version"] == "1")!["reason"]);
        Assert.Equal(("m", "2", "READY"), Row(index, "2"));

        // A reload: version 2's files change; the new ones load beside the old ones, which drain once replaced.
        _repository.WriteVersion("m", 2, seed: 13);
        var replaced = service.ServingEntry("m", 2);
        await WhileReadyAsync(service, async () =>
        {
            using var reload = await service.PostAsync("v2/repository/models/m/load", new { parameters = new { config = "{\"version_policy\": {\"latest\": {\"num_versions\": 1}}}" } });
            Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        });
        await AssertServedByAsync(service, pixels, "2", seed: 13);
        await replaced.WhenIn(ModelState.Unloaded).WaitAsync(TimeSpan.FromMinutes(1));

        // Unload: the model takes no more requests; once drained, the index still lists what the repository holds.
        var last = service.ServingEntry("m", 2);
        using (var unload = await service.PostAsync("v2/repository/models/m/unload", new { parameters = new { unload_dependents = false } }))
            Assert.Equal(HttpStatusCode.OK, unload.StatusCode);
        using var gone = await service.PostAsync("v2/models/m/infer", new { inputs = Array.Empty<object>() }, LiveModelService.ReaderKey);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        await last.WhenIn(ModelState.Unloaded).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.All(await IndexAsync(service), row => Assert.Equal("UNAVAILABLE", (string?)row!["state"]));
        Assert.Empty((await service.GetJsonAsync("v1/models"))["models"]!.AsArray());

        // Loaded again from the repository: the newest version serves.
        using (var again = await service.PostAsync("v2/repository/models/m/load", null))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        await AssertServedByAsync(service, pixels, "2", seed: 13);
    }

    [Fact]
    public async Task The_index_filters_ready_models_and_bad_requests_and_failed_loads_get_the_protocols_error_body()
    {
        _repository.WriteVersion("m", 1, seed: 11);
        _repository.WriteIncomplete("half", 1);
        await using var service = await LiveModelService.StartAsync(_repository.Root);

        var all = await IndexAsync(service);
        Assert.Equal([("half", "1", "UNAVAILABLE"), ("m", "1", "READY")], all.Select(r => ((string)r!["name"]!, (string)r["version"]!, (string)r["state"]!)));
        Assert.Contains("incomplete: no onnx/model.onnx", (string?)all.Single(r => (string?)r!["name"] == "half")!["reason"]);
        using (var ready = await service.PostAsync("v2/repository/index", new { ready = true }))
            Assert.Equal(["m"], JsonNode.Parse(await ready.Content.ReadAsStringAsync())!.AsArray().Select(r => (string)r!["name"]!));

        foreach (var (path, body, status, says) in new (string, object?, HttpStatusCode, string)[]
        {
            ("v2/repository/models/nothing/load", new { }, HttpStatusCode.NotFound, "has no model 'nothing'"),
            ("v2/repository/models/m/load", new { parameters = new { config = "{\"version_polcy\": {}}" } }, HttpStatusCode.BadRequest, "'version_polcy' is not a field"),
            ("v2/repository/models/m/load", new { parameters = new { config = "{\"version_policy\": {\"specific\": {\"versions\": [7]}}}" } },
                HttpStatusCode.BadRequest, "selects none of the versions"),
            ("v2/repository/models/m/load", new { parameters = new Dictionary<string, string> { ["file:1/model.onnx"] = "AAAA" } }, HttpStatusCode.BadRequest,
                "not supported"),
            ("v2/repository/index", new StringContent("[1, 2]"), HttpStatusCode.BadRequest, "must be a JSON object"),
        })
        {
            using var response = await service.PostAsync(path, body);
            Assert.Equal(status, response.StatusCode);
            Assert.Contains(says, (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]);
        }
        // A refused load changed nothing.
        await AssertServedByAsync(service, ModelRepositoryDirectory.Pixels(2), "1", seed: 11);

        // A version that fails to load: the load says why, and what served stays.
        _repository.WriteUnreadable("m", 2);
        using (var broken = await service.PostAsync("v2/repository/models/m/load", new { }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
            Assert.Contains("version 2 failed to load", (string?)JsonNode.Parse(await broken.Content.ReadAsStringAsync())!["error"]);
        }
        await AssertServedByAsync(service, ModelRepositoryDirectory.Pixels(2), "1", seed: 11);
        Assert.Equal(("m", "2", "UNAVAILABLE"), Row(await IndexAsync(service), "2"));
    }

    internal static async Task AssertServedByAsync(LiveModelService service, float[] pixels, string version, int seed, string model = "m")
    {
        var (served, logits) = await service.InferAsync(model, pixels);
        Assert.Equal(version, served);
        Logits.AssertClose(ModelRepositoryDirectory.ReferenceLogits(seed, pixels), logits);
    }

    /// <summary>Runs <paramref name="change"/> while asking /health/ready again and again: it never says anything but ready.</summary>
    internal static async Task WhileReadyAsync(LiveModelService service, Func<Task> change)
    {
        using var done = new CancellationTokenSource();
        var probes = Task.Run(async () =>
        {
            var answers = new List<HttpStatusCode>();
            while (!done.IsCancellationRequested)
            {
                using var response = await service.Http.GetAsync("health/ready");
                answers.Add(response.StatusCode);
            }
            return answers;
        });
        await change();
        await done.CancelAsync();
        var seen = await probes;
        Assert.NotEmpty(seen);
        Assert.All(seen, status => Assert.Equal(HttpStatusCode.OK, status));
    }

    private static async Task<JsonArray> IndexAsync(LiveModelService service)
    {
        // As tritonclient.http sends it: POST with an empty body.
        using var response = await service.PostAsync("v2/repository/index", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
    }

    private static (string, string, string) Row(JsonArray index, string version)
    {
        var row = index.Single(r => (string?)r!["version"] == version)!;
        return ((string)row["name"]!, (string)row["version"]!, (string)row["state"]!);
    }
}
