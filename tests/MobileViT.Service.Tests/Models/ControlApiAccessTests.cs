using System.Net;
using System.Text.Json.Nodes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using MobileViT.Service.KServe.V2;

namespace MobileViT.Service.Tests.Models;

/// <summary>
/// The control API changes what the service runs, so it is off unless enabled, needs a key with the admin scope
/// (never an inference-only key), and cannot be enabled without such a key.
/// </summary>
public sealed class ControlApiAccessTests : IDisposable
{
    private readonly ModelRepositoryDirectory _repository = new();

    public ControlApiAccessTests() => _repository.WriteVersion("m", 1, seed: 11);

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task An_inference_only_key_is_refused_on_every_control_call_and_an_admin_key_is_not()
    {
        await using var service = await LiveModelService.StartAsync(_repository.Root);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(service.Channel);

        foreach (var path in new[] { "v2/repository/index", "v2/repository/models/m/load", "v2/repository/models/m/unload" })
        {
            using var reader = await service.PostAsync(path, new { }, LiveModelService.ReaderKey);
            Assert.Equal(HttpStatusCode.Forbidden, reader.StatusCode);
            Assert.Contains("admin scope", (string?)JsonNode.Parse(await reader.Content.ReadAsStringAsync())!["error"]);
            using var anonymous = await service.PostAsync(path, new { }, key: null);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }
        var readerKey = LiveModelService.Bearer(LiveModelService.ReaderKey);
        foreach (var call in new Func<Task>[]
        {
            () => client.RepositoryIndexAsync(new RepositoryIndexRequest(), readerKey).ResponseAsync,
            () => client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "m" }, readerKey).ResponseAsync,
            () => client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "m" }, readerKey).ResponseAsync,
        })
        {
            Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(call)).StatusCode);
        }
        // The model is untouched by the refused calls; the admin key may use them, and inference with the reader key works.
        var index = await client.RepositoryIndexAsync(new RepositoryIndexRequest(), LiveModelService.Bearer(LiveModelService.AdminKey));
        Assert.Equal(("m", "1", "READY"), (index.Models.Single().Name, index.Models.Single().Version, index.Models.Single().State));
        Assert.Equal("1", (await service.InferAsync("m", ModelRepositoryDirectory.Pixels(1))).Version);
        Assert.Contains("model_repository", (await service.GetJsonAsync("v2"))["extensions"]!.AsArray().Select(e => (string?)e));
    }

    [Fact]
    public async Task Off_unless_enabled_the_control_api_is_absent_and_explicit_mode_keeps_the_start_up_models()
    {
        await using var service = await LiveModelService.StartAsync(_repository.Root, controlApi: false);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(service.Channel);

        using var index = await service.PostAsync("v2/repository/index", null);
        Assert.Equal(HttpStatusCode.NotFound, index.StatusCode);
        var e = await Assert.ThrowsAsync<RpcException>(() => client.RepositoryIndexAsync(new RepositoryIndexRequest(), LiveModelService.Bearer(LiveModelService.AdminKey)).ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
        Assert.DoesNotContain("model_repository", (await service.GetJsonAsync("v2"))["extensions"]!.AsArray().Select(x => (string?)x));
        Assert.Equal("1", (await service.InferAsync("m", ModelRepositoryDirectory.Pixels(1))).Version);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Enabling_it_without_a_key_that_has_the_admin_scope_stops_start_up_saying_how(bool inferenceKeyOnly)
    {
        var settings = LiveModelService.Settings(_repository.Root, "explicit", controlApi: true);
        settings.Remove("MobileViT:Auth:ApiKeys:0");
        if (!inferenceKeyOnly)
            settings.Remove("MobileViT:Auth:ApiKeys:1");
        await using var app = RunningService.Build(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("MobileViT__Repository__ControlApi=true needs an API key with the admin scope", error.Message);
        Assert.Contains("scopes=infer,admin", error.Message);
    }
}
