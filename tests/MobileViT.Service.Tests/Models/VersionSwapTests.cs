using System.Net;
using MobileViT.Inference.Models;
using MobileViT.Service.Tests.Infrastructure;
using MobileViT.Service.Tests.RequestPath;

namespace MobileViT.Service.Tests.Models;

/// <summary>
/// A swap that loses nothing: requests already queued on the old version finish there, the old version is disposed
/// only after its last request has returned, and clients running through a swap all get answers, each from exactly
/// one of the two versions.
/// </summary>
public sealed class VersionSwapTests : IDisposable
{
    private readonly ModelRepositoryDirectory _repository = new();

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task Requests_queued_on_the_old_version_finish_there_and_it_is_disposed_after_the_last()
    {
        _repository.WriteVersion("m", 1, seed: 31);
        await using var service = await LiveModelService.StartAsync(_repository.Root);
        var old = service.Registry.FindModel("m")!.Serving[1];
        var pixels = ModelRepositoryDirectory.Pixels(8);

        // Version 1's one instance is held inside a batch; two client requests queue behind it.
        var held = await HeldModel.StartAsync(old.Model, queued: 0);
        var queued = Enumerable.Range(0, 2).Select(_ => service.InferAsync("m", pixels)).ToList();
        await QueueWatch.UntilDepthAsync(old.Model.Batcher, 2);

        _repository.WriteVersion("m", 2, seed: 32);
        using (var load = await service.PostAsync("v2/repository/models/m/load", new { }))
            Assert.Equal(HttpStatusCode.OK, load.StatusCode);

        // Switched: new requests go to version 2 while version 1 still holds its queue and is not disposed.
        await RepositoryControlRestTests.AssertServedByAsync(service, pixels, "2", seed: 32);
        Assert.Equal(ModelState.Draining, old.Entry.State);
        Assert.Equal(2, old.Model.Batcher.QueueDepth);
        Assert.All(queued, q => Assert.False(q.IsCompleted));

        await held.DisposeAsync();
        foreach (var answer in await Task.WhenAll(queued))
        {
            Assert.Equal("1", answer.Version);
            Logits.AssertClose(ModelRepositoryDirectory.ReferenceLogits(31, pixels), answer.Logits);
        }
        await old.Entry.WhenIn(ModelState.Unloaded).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Null(service.Registry.FindModel("m")!.Alive.FirstOrDefault(m => ReferenceEquals(m, old.Model)));
    }

    [Fact]
    public async Task Clients_running_through_swaps_all_get_answers_each_from_one_of_the_two_versions()
    {
        _repository.WriteVersion("m", 1, seed: 31);
        _repository.WriteVersion("m", 2, seed: 32);
        _repository.WriteModelConfig("m", "{\"version_policy\": {\"specific\": {\"versions\": [1]}}}");
        await using var service = await LiveModelService.StartAsync(_repository.Root);
        var pixels = ModelRepositoryDirectory.Pixels(9);
        var expected = new Dictionary<string, float[]>
        {
            ["1"] = ModelRepositoryDirectory.ReferenceLogits(31, pixels),
            ["2"] = ModelRepositoryDirectory.ReferenceLogits(32, pixels),
        };

        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            var answers = new List<(string Version, float[] Logits)>();
            while (!stop.IsCancellationRequested)
                answers.Add(await service.InferAsync("m", pixels));
            return answers;
        })).ToList();
        // Four swaps back and forth, each waiting for the switch, while the clients run.
        foreach (var version in new[] { 2, 1, 2, 1 })
        {
            using var load = await service.PostAsync("v2/repository/models/m/load",
                new { parameters = new { config = $"{{\"version_policy\": {{\"specific\": {{\"versions\": [{version}]}}}}}}" } });
            Assert.Equal(HttpStatusCode.OK, load.StatusCode);
        }
        await stop.CancelAsync();
        var all = (await Task.WhenAll(clients)).SelectMany(a => a).ToList();

        Assert.NotEmpty(all);
        Assert.All(all, answer => Logits.AssertClose(expected[answer.Version], answer.Logits));
    }
}
