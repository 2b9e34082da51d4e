using Grpc.Core;
using MobileViT.Inference.Models;
using MobileViT.Service.KServe.V2;

namespace MobileViT.Service.Tests.Models;

/// <summary>
/// Triton's model repository extension over gRPC (<c>inference.GRPCInferenceService</c>'s RepositoryIndex,
/// RepositoryModelLoad and RepositoryModelUnload, as <c>tritonclient.grpc</c> sends them), with the V2 gRPC inference
/// calls naming versions.
/// </summary>
public sealed class RepositoryControlGrpcTests : IDisposable
{
    private readonly ModelRepositoryDirectory _repository = new();

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task Load_reload_and_unload_over_grpc_change_what_serves()
    {
        _repository.WriteVersion("m", 1, seed: 11);
        await using var service = await LiveModelService.StartAsync(_repository.Root);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(service.Channel);
        var admin = LiveModelService.Bearer(LiveModelService.AdminKey);
        var pixels = ModelRepositoryDirectory.Pixels(3);
        Assert.Equal(("1", 11), await InferAsync(client, pixels, ""));

        // A second version, with a configuration that serves both: the default becomes the newest.
        _repository.WriteVersion("m", 2, seed: 12);
        var load = new RepositoryModelLoadRequest { ModelName = "m" };
        load.Parameters["config"] = new ModelRepositoryParameter { StringParam = "{\"name\": \"m\", \"version_policy\": {\"all\": {}}}" };
        await RepositoryControlRestTests.WhileReadyAsync(service, () => client.RepositoryModelLoadAsync(load, admin).ResponseAsync);
        Assert.Equal(("2", 12), await InferAsync(client, pixels, ""));
        Assert.Equal(("1", 11), await InferAsync(client, pixels, "1"));
        var reader = LiveModelService.Bearer(LiveModelService.ReaderKey);
        Assert.True((await client.ModelReadyAsync(new ModelReadyRequest { Name = "m", Version = "1" }, reader)).Ready);
        Assert.Equal(["1", "2"], (await client.ModelMetadataAsync(new ModelMetadataRequest { Name = "m" }, reader)).Versions);
        var index = await client.RepositoryIndexAsync(new RepositoryIndexRequest(), admin);
        Assert.Equal([("m", "1", "READY"), ("m", "2", "READY")], index.Models.Select(m => (m.Name, m.Version, m.State)));

        // Reload without the override: the model's own configuration (latest 1) applies again and version 1 drains.
        var one = service.ServingEntry("m", 1);
        await client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "m" }, admin);
        await one.WhenIn(ModelState.Unloaded).WaitAsync(TimeSpan.FromMinutes(1));
        var pinned = await Assert.ThrowsAsync<RpcException>(() => InferAsync(client, pixels, "1"));
        Assert.Equal(StatusCode.NotFound, pinned.StatusCode);
        Assert.Contains("only version 2", pinned.Status.Detail);

        var unload = new RepositoryModelUnloadRequest { ModelName = "m" };
        unload.Parameters["unload_dependents"] = new ModelRepositoryParameter { BoolParam = false };
        await client.RepositoryModelUnloadAsync(unload, admin);
        var gone = await Assert.ThrowsAsync<RpcException>(() => InferAsync(client, pixels, ""));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Empty((await client.RepositoryIndexAsync(new RepositoryIndexRequest { Ready = true }, admin)).Models);
    }

    /// <summary>The version that answered and which seed's graph its logits are (the one of <c>seed</c> 11 or 12 they match).</summary>
    private static async Task<(string Version, int Seed)> InferAsync(GRPCInferenceService.GRPCInferenceServiceClient client, float[] pixels, string version)
    {
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "pixel_values", Datatype = "FP32", Shape = { 1, 3, 256, 256 } };
        input.Contents = new InferTensorContents { Fp32Contents = { pixels } };
        var response = await client.ModelInferAsync(new ModelInferRequest { ModelName = "m", ModelVersion = version, Inputs = { input } },
            LiveModelService.Bearer(LiveModelService.ReaderKey));
        var logits = response.Outputs[0].Contents.Fp32Contents.ToArray();
        var seed = new[] { 11, 12 }.Single(s => Logits.Close(ModelRepositoryDirectory.ReferenceLogits(s, pixels), logits));
        return (response.ModelVersion, seed);
    }
}
