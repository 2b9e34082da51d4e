using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using MobileViT.Service.Grpc.V1;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Grpc;

/// <summary>mobilevit.v1.Classifier, health and reflection over a real HTTP/2 loopback connection (Grpc.Net.Client).</summary>
public sealed class ClassifierGrpcTests(SmallModelServiceFixture fixture) : IClassFixture<SmallModelServiceFixture>, IDisposable
{
    private readonly GrpcChannel _channel = fixture.Service.CreateGrpcChannel();

    private Classifier.ClassifierClient Client => new(_channel);

    public void Dispose() => _channel.Dispose();

    [Fact]
    public async Task Classify_returns_top_k_predictions_with_server_timings()
    {
        var response = await Client.ClassifyAsync(new ClassifyRequest { Image = ByteString.CopyFrom(TestImages.Jpeg()), TopK = 3 });

        Assert.Equal("tiny", response.Model);
        Assert.True(response.Synthetic);
        Assert.Equal(3, response.Predictions.Count);
        Assert.True(response.Predictions[0].Score >= response.Predictions[1].Score);
        Assert.False(string.IsNullOrEmpty(response.Predictions[0].Label));
        Assert.InRange(response.Timing.BatchSize, 1, 8);
        Assert.True(response.Timing.InferenceMs > 0);
    }

    [Fact]
    public async Task Classify_with_the_same_image_agrees_with_the_http_api()
    {
        var image = TestImages.SharedJpeg();
        var grpc = await Client.ClassifyAsync(new ClassifyRequest { Image = ByteString.CopyFrom(image), Model = "tiny", TopK = 1 });
        var http = await fixture.Service.Client.PostAsync("v1/classify?topK=1", new ByteArrayContent(image) { Headers = { { "Content-Type", "image/jpeg" } } });
        var body = await http.Content.ReadAsStringAsync();

        Assert.Contains($"\"index\":{grpc.Predictions[0].Index},", body);
    }

    [Fact]
    public async Task A_bad_image_is_invalid_argument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => Client.ClassifyAsync(new ClassifyRequest { Image = ByteString.CopyFrom(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }) }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task A_top_k_out_of_range_is_invalid_argument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => Client.ClassifyAsync(new ClassifyRequest { Image = ByteString.CopyFrom(TestImages.Png(32, 32)), TopK = 5000 }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("top_k", e.Status.Detail);
    }

    [Fact]
    public async Task An_unknown_model_is_not_found()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => Client.ClassifyAsync(new ClassifyRequest { Image = ByteString.CopyFrom(TestImages.Png(32, 32)), Model = "nope" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Contains("tiny", e.Status.Detail);
    }

    [Fact]
    public async Task ListModels_describes_the_served_model()
    {
        var response = await Client.ListModelsAsync(new ListModelsRequest());

        Assert.Equal("tiny", response.DefaultModel);
        var model = Assert.Single(response.Models);
        Assert.Equal("synthetic:xxs", model.Source);
        Assert.True(model.Ready);
        Assert.True(model.Synthetic);
        Assert.Equal((3, 256, 256), (model.InputChannels, model.InputHeight, model.InputWidth));
        Assert.Equal(1000, model.LabelCount);
        Assert.Equal(8, model.MaxBatchSize);
    }

    [Fact]
    public async Task A_stream_of_200_images_with_many_in_flight_answers_every_id_and_batches_them()
    {
        const int count = 200;
        var images = Enumerable.Range(0, 8).Select(i => ByteString.CopyFrom(TestImages.Png(64, 48, seed: i))).ToArray();
        using var call = Client.ClassifyStream();
        var sent = 0;
        var received = new List<ClassifyStreamResponse>();
        var maxInFlight = 0;

        var reading = Task.Run(async () =>
        {
            await foreach (var response in call.ResponseStream.ReadAllAsync())
            {
                lock (received)
                {
                    maxInFlight = Math.Max(maxInFlight, Volatile.Read(ref sent) - received.Count);
                    received.Add(response);
                }
            }
        });
        for (var i = 0; i < count; i++)
        {
            await call.RequestStream.WriteAsync(new ClassifyStreamRequest { Id = $"img-{i}", Image = images[i % images.Length], TopK = 2 });
            Interlocked.Increment(ref sent);
        }
        // One bad image and one unknown model: errors for those items only; the stream goes on.
        await call.RequestStream.WriteAsync(new ClassifyStreamRequest { Id = "bad", Image = ByteString.CopyFromUtf8("not an image") });
        await call.RequestStream.WriteAsync(new ClassifyStreamRequest { Id = "unknown-model", Image = images[0], Model = "nope" });
        await call.RequestStream.CompleteAsync();
        await reading;

        Assert.Equal(count + 2, received.Count);
        var byId = received.ToDictionary(r => r.Id);
        for (var i = 0; i < count; i++)
        {
            var result = byId[$"img-{i}"];
            Assert.Equal(ClassifyStreamResponse.OutcomeOneofCase.Result, result.OutcomeCase);
            Assert.Equal(2, result.Result.Predictions.Count);
        }
        Assert.Equal((int)StatusCode.InvalidArgument, byId["bad"].Error.Code);
        Assert.Equal((int)StatusCode.NotFound, byId["unknown-model"].Error.Code);
        Assert.True(maxInFlight >= 32, $"at most {maxInFlight} requests were in flight");
        Assert.Contains(received, r => r.Result?.Timing.BatchSize > 1);
        // Same image, same logits: results are matched to the right ids.
        Assert.Equal(byId["img-0"].Result.Predictions, byId["img-8"].Result.Predictions);
        Assert.NotEqual(byId["img-0"].Result.Predictions, byId["img-1"].Result.Predictions);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Health_reports_serving_overall_and_per_service()
    {
        var health = new global::Grpc.Health.V1.Health.HealthClient(_channel);
        foreach (var service in new[] { "", "mobilevit.v1.Classifier", "inference.GRPCInferenceService", "liveness" })
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = service })).Status);
        var e = await Assert.ThrowsAsync<RpcException>(() => health.CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task Reflection_lists_the_services()
    {
        var reflection = new ServerReflection.ServerReflectionClient(_channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        Assert.Contains("mobilevit.v1.Classifier", services);
        Assert.Contains("inference.GRPCInferenceService", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }
}
