using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Grpc.Core;
using MobileViT.Service.Grpc.V1;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Models;

/// <summary>
/// A request names a version, or gets the default (the newest ready one): REST <c>/v1/models/{m}/versions/{v}/classify</c>,
/// V2 REST <c>/v2/models/{m}/versions/{v}/infer</c>, V2 gRPC <c>model_version</c> and the Classifier's <c>version</c>;
/// each answer says which version gave it, and the listings show every version.
/// </summary>
public sealed class VersionPinningTests : IAsyncLifetime
{
    private readonly ModelRepositoryDirectory _repository = new();
    private LiveModelService _service = null!;

    public async Task InitializeAsync()
    {
        _repository.WriteVersion("m", 1, seed: 21);
        _repository.WriteVersion("m", 2, seed: 22);
        _repository.WriteModelConfig("m", "{\"version_policy\": {\"all\": {}}}");
        _service = await LiveModelService.StartAsync(_repository.Root);
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        _repository.Dispose();
    }

    [Fact]
    public async Task Every_protocol_runs_the_version_the_request_names_and_the_newest_otherwise()
    {
        var pixels = ModelRepositoryDirectory.Pixels(7);
        await RepositoryControlRestTests.AssertServedByAsync(_service, pixels, "2", seed: 22);
        var (pinned, logits) = await _service.InferAsync("m", pixels, version: "1");
        Assert.Equal("1", pinned);
        Logits.AssertClose(ModelRepositoryDirectory.ReferenceLogits(21, pixels), logits);

        var image = TestImages.Png(64, 48, seed: 3);
        Assert.Equal(1, (int)(await ClassifyRestAsync("v1/models/m/versions/1/classify", image))["version"]!);
        Assert.Equal(2, (int)(await ClassifyRestAsync("v1/models/m/classify", image))["version"]!);
        Assert.Equal(2, (int)(await ClassifyRestAsync("v1/classify", image))["version"]!);

        var classifier = new Classifier.ClassifierClient(_service.Channel);
        var reader = LiveModelService.Bearer(LiveModelService.ReaderKey);
        var one = await classifier.ClassifyAsync(new ClassifyRequest { Image = Google.Protobuf.ByteString.CopyFrom(image), Model = "m", Version = 1 }, reader);
        var two = await classifier.ClassifyAsync(new ClassifyRequest { Image = Google.Protobuf.ByteString.CopyFrom(image), Model = "m" }, reader);
        Assert.Equal((1L, 2L), (one.Version, two.Version));
        // The two versions have different weights: their answers for the same image differ.
        Assert.NotEqual(one.Predictions.Select(p => p.Index), two.Predictions.Select(p => p.Index));
        var streamed = classifier.ClassifyStream(reader);
        await streamed.RequestStream.WriteAsync(new ClassifyStreamRequest { Id = "a", Image = Google.Protobuf.ByteString.CopyFrom(image), Model = "m", Version = 1 });
        await streamed.RequestStream.CompleteAsync();
        Assert.True(await streamed.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(1L, streamed.ResponseStream.Current.Result.Version);

        var listed = await classifier.ListModelsAsync(new ListModelsRequest(), reader);
        var model = listed.Models.Single();
        Assert.Equal((2L, "all", true), (model.Version, model.VersionPolicy, model.FromRepository));
        Assert.Equal([(2L, "ready", true), (1L, "ready", false)], model.Versions.Select(v => (v.Version, v.State, v.Default)));
    }

    [Fact]
    public async Task A_version_the_model_does_not_have_is_not_found_on_every_protocol()
    {
        var image = TestImages.Png(32, 32);
        foreach (var version in new[] { "3", "0", "abc", "-1" })
        {
            using var rest = await SendAsync($"v1/models/m/versions/{version}/classify", ImageContent.Of(image, "image/png"));
            Assert.Equal(HttpStatusCode.NotFound, rest.StatusCode);
            Assert.Equal("urn:mobilevit:problem:unknown-version", (string?)JsonNode.Parse(await rest.Content.ReadAsStringAsync())!["type"]);
        }
        using var v2 = await _service.PostAsync("v2/models/m/versions/3/infer", new { inputs = Array.Empty<object>() }, LiveModelService.ReaderKey);
        Assert.Equal(HttpStatusCode.NotFound, v2.StatusCode);
        Assert.Contains("has versions 1, 2; version '3' does not exist", (string?)JsonNode.Parse(await v2.Content.ReadAsStringAsync())!["error"]);
        var classifier = new Classifier.ClassifierClient(_service.Channel);
        var e = await Assert.ThrowsAsync<RpcException>(() => classifier.ClassifyAsync(
            new ClassifyRequest { Image = Google.Protobuf.ByteString.CopyFrom(image), Model = "m", Version = 3 }, LiveModelService.Bearer(LiveModelService.ReaderKey)).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    private async Task<JsonNode> ClassifyRestAsync(string path, byte[] image)
    {
        using var response = await SendAsync(path, ImageContent.Of(image, "image/png"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private Task<HttpResponseMessage> SendAsync(string path, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LiveModelService.ReaderKey);
        return _service.Http.SendAsync(request);
    }
}
