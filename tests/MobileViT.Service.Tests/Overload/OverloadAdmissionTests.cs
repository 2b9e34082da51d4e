using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Google.Protobuf;
using Grpc.Core;
using MobileViT.Inference.Serving;
using MobileViT.Service.Grpc.V1;
using MobileViT.Service.Tests.Infrastructure;
using MobileViT.Service.Tests.RequestPath;
using static MobileViT.Service.Tests.Overload.OverloadFixture;

namespace MobileViT.Service.Tests.Overload;

/// <summary>
/// Wait-aware admission and priority over real HTTP and gRPC, on a model whose batches take exactly as long as the
/// test says (gates on a fake clock): the drain rate is known, so every prediction is exact.
/// </summary>
[Collection(NonParallelCollection.Name)]
public sealed class OverloadAdmissionTests(OverloadFixture fixture) : IClassFixture<OverloadFixture>
{
    public static TheoryData<Protocol> AllProtocols() => new(Enum.GetValues<Protocol>());

    private static byte[] Image => TestImages.Png(48, 40);

    private static string Status(Protocol protocol, int http, StatusCode grpc) =>
        protocol is Protocol.Rest or Protocol.KServeRest ? http.ToString() : grpc.ToString();

    private Task<string> SendAsync(Protocol protocol, string? priority = null) =>
        fixture.Client.SendAsync(protocol, Model, Image, ProtocolClient.Parameters.Valid, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token, priority);

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public async Task An_unmeetable_deadline_is_refused_before_queueing_and_what_is_admitted_finishes_in_time(Protocol protocol)
    {
        // 4 images/s, 250 ms a batch; every request has the 1 s default deadline.
        await fixture.SlowDownAsync(TimeSpan.FromMilliseconds(250));
        await using var held = await fixture.HoldAsync(queued: 1);
        var unmeetable = fixture.Requests.Count(Model, "normal", RequestOutcome.Of(ErrorKind.DeadlineUnmeetable));

        // The running batch (250 ms to go) and 1 queued ahead: starts in 0.5 s, finishes in 0.75 s (0.94 s with the
        // margin of 1.25), within 1 s: admitted.
        var admitted = SendAsync(protocol);
        await QueueWatch.UntilAsync(fixture.Batcher, b => b.QueueDepth == 2, "the admitted request being queued");
        // 2 ahead: would finish in 1.0 s, 1.25 s with the margin: refused at once, never queued.
        var refused = await SendAsync(protocol);

        Assert.Equal(Status(protocol, 429, StatusCode.ResourceExhausted), refused);
        Assert.Equal(2, fixture.Batcher.QueueDepth);
        Assert.Equal(unmeetable + 1, fixture.Requests.Count(Model, "normal", RequestOutcome.Of(ErrorKind.DeadlineUnmeetable)));
        // The model drains exactly as predicted: the admitted request starts 0.5 s after it arrived and succeeds.
        await held.RunEachForAsync(TimeSpan.FromMilliseconds(250));
        Assert.Equal(Status(protocol, 200, StatusCode.OK), await admitted);
    }

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public async Task A_burst_is_admitted_up_to_what_can_finish_whatever_order_its_requests_are_queued_in(Protocol protocol)
    {
        // 250 ms a batch, the worker busy for 250 ms more; every request has the 1 s default deadline.
        await fixture.SlowDownAsync(TimeSpan.FromMilliseconds(250));
        await using var held = await fixture.HoldAsync(queued: 0);
        var refusedBefore = fixture.Requests.Count(Model, "normal", RequestOutcome.Of(ErrorKind.DeadlineUnmeetable));

        // Eight at once. Each admission counts the ones admitted before it, queued or not: the first finishes at 0.5 s,
        // the second at 0.75 s (0.94 s with the margin of 1.25); the third would at 1.0 s (1.25 s). Two admitted.
        var sent = Enumerable.Range(0, 8).Select(_ => SendAsync(protocol)).ToList();
        var answered = new List<Task<string>>();
        while (answered.Count < 6)
            answered.Add(await Task.WhenAny(sent.Except(answered)).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.All(answered, a => Assert.Equal(Status(protocol, 429, StatusCode.ResourceExhausted), a.Result));
        Assert.Equal(refusedBefore + 6, fixture.Requests.Count(Model, "normal", RequestOutcome.Of(ErrorKind.DeadlineUnmeetable)));
        await QueueWatch.UntilDepthAsync(fixture.Batcher, 2);
        Assert.Equal(0, fixture.Batcher.ReservedOf(RequestPriority.Normal));
        await held.RunEachForAsync(TimeSpan.FromMilliseconds(250));
        foreach (var admitted in sent.Except(answered))
            Assert.Equal(Status(protocol, 200, StatusCode.OK), await admitted);
    }

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public async Task A_lightly_loaded_server_refuses_nothing_even_when_its_model_is_slow(Protocol protocol)
    {
        // 1 image/s: anything queued ahead of a 1 s request would make it unmeetable.
        await fixture.SlowDownAsync(TimeSpan.FromSeconds(1));

        for (var i = 0; i < 3; i++)
            Assert.Equal(Status(protocol, 200, StatusCode.OK), await SendAsync(protocol));

        // The worker busy but nothing queued ahead: still admitted.
        var held = await fixture.HoldAsync(queued: 0);
        var sent = SendAsync(protocol);
        await QueueWatch.UntilAsync(fixture.Batcher, b => b.QueueDepth == 1, "the request being queued");
        await held.DisposeAsync();
        Assert.Equal(Status(protocol, 200, StatusCode.OK), await sent);
    }

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public async Task High_priority_overtakes_a_full_normal_queue(Protocol protocol)
    {
        await using var held = await fixture.HoldAsync(queued: QueueCapacity);
        var highSucceeded = fixture.Requests.Count(Model, "high", RequestOutcome.Success);

        Assert.Equal(Status(protocol, 429, StatusCode.ResourceExhausted), await SendAsync(protocol, "normal"));
        var high = SendAsync(protocol, "high");
        await QueueWatch.UntilAsync(fixture.Batcher, b => b.QueueDepthOf(RequestPriority.High) == 1, "the high-priority request being queued");
        held.Gates[0].Release();

        Assert.Equal(Status(protocol, 200, StatusCode.OK), await high);
        // It ran before the 20 normal requests queued ahead of it: at most the one after it has left the queue.
        Assert.True(fixture.Batcher.QueueDepthOf(RequestPriority.Normal) >= QueueCapacity - 1);
        Assert.Equal(highSucceeded + 1, fixture.Requests.Count(Model, "high", RequestOutcome.Success));
    }

    [Fact]
    public async Task Low_priority_is_refused_first()
    {
        var lowCapacity = fixture.Batcher.QueueCapacityOf(RequestPriority.Low);
        await using var held = await fixture.HoldAsync(queued: lowCapacity, RequestPriority.Low);

        Assert.Equal("429", await SendAsync(Protocol.Rest, "low"));
        var normal = SendAsync(Protocol.Rest);
        await QueueWatch.UntilAsync(fixture.Batcher, b => b.QueueDepthOf(RequestPriority.Normal) == 1, "the normal request being queued");
        await held.DisposeAsync();
        Assert.Equal("200", await normal);
    }

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public async Task An_invalid_priority_is_a_bad_request(Protocol protocol)
    {
        var badInput = fixture.Requests.Count(Model, "normal", RequestOutcome.Of(ErrorKind.InvalidInput));
        var total = fixture.Requests.Total(Model);

        Assert.Equal(Status(protocol, 400, StatusCode.InvalidArgument), await SendAsync(protocol, "urgent"));

        await fixture.Requests.WaitForTotalAsync(Model, total + 1, TimeSpan.FromSeconds(30));
        Assert.Equal(badInput + 1, fixture.Requests.Count(Model, "normal", RequestOutcome.Of(ErrorKind.InvalidInput)));
    }

    [Theory]
    [InlineData(200, "4", 3400)]
    [InlineData(100, "2", 1300)]
    public async Task Retry_after_is_when_the_queue_ahead_will_have_drained_enough(int batchMs, string retryAfter, int pushbackMs)
    {
        await fixture.SlowDownAsync(TimeSpan.FromMilliseconds(batchMs));
        await using var held = await fixture.HoldAsync(queued: 19);

        // The running batch and 19 queued ahead, batchMs each; the 1 s deadline admits a start within 0.8 s minus one batch.
        // 200 ms: starts in 4.0 s, admissible from 0.6 s: retry in 3.4 s. 100 ms: 2.0 s and 0.7 s: retry in 1.3 s.
        using var rest = await fixture.Service.Client.PostAsync($"v1/models/{Model}/classify", ImageContent());
        using var v2 = await fixture.Service.Client.PostAsJsonAsync($"v2/models/{Model}/infer",
            new { inputs = new[] { new { name = "image", shape = new[] { 1 }, datatype = "BYTES", data = new[] { Convert.ToBase64String(Image) } } } });

        var grpc = await Assert.ThrowsAsync<RpcException>(() => new Classifier.ClassifierClient(fixture.Channel)
            .ClassifyAsync(new ClassifyRequest { Model = Model, Image = ByteString.CopyFrom(Image) }).ResponseAsync);

        foreach (var response in new[] { rest, v2 })
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.Equal(retryAfter, Assert.Single(response.Headers.GetValues("Retry-After")));
        }
        Assert.Equal("urn:mobilevit:problem:deadline-unmeetable", (await rest.Content.ReadFromJsonAsync<ProblemJson>())!.Type);
        // V2 REST: the same status and Retry-After, in the protocol's own error body.
        Assert.Contains("deadline", (await v2.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("error").GetString());
        // gRPC: the same delay, to the millisecond, as the retry pushback.
        Assert.Equal(StatusCode.ResourceExhausted, grpc.StatusCode);
        Assert.InRange(int.Parse(grpc.Trailers.GetValue("grpc-retry-pushback-ms")!), pushbackMs - 1, pushbackMs + 1);
    }

    [Fact]
    public async Task The_drain_rate_the_predicted_wait_and_the_calibration_are_exported()
    {
        await fixture.SlowDownAsync(TimeSpan.FromMilliseconds(250));
        var held = await fixture.HoldAsync(queued: 1, RequestPriority.High);
        var sent = SendAsync(Protocol.Rest, "high");
        await QueueWatch.UntilAsync(fixture.Batcher, b => b.QueueDepthOf(RequestPriority.High) == 2, "the request being queued");

        var metrics = (await fixture.Service.Client.GetStringAsync("metrics")).Split('\n');
        await held.RunEachForAsync(TimeSpan.FromMilliseconds(250));
        Assert.Equal("200", await sent);
        var after = (await fixture.Service.Client.GetStringAsync("metrics")).Split('\n');

        string Line(string[] lines, string name) => lines.Single(l => l.StartsWith(name + "{", StringComparison.Ordinal) && l.Contains($"model=\"{Model}\""));
        Assert.EndsWith(" 4", Line(metrics, "mobilevit_drain_rate_per_second"));
        Assert.Contains(metrics, l => l.StartsWith("mobilevit_admission_predicted_wait_seconds_count{", StringComparison.Ordinal)
            && l.Contains("priority=\"high\"", StringComparison.Ordinal));
        // The calibration: the margin in use (the uncalibrated one here), and each admitted request's prediction
        // against what happened (it started 0.5 s and finished 0.75 s after it arrived, as predicted).
        Assert.EndsWith(" 1.25", Line(after, "mobilevit_admission_margin"));
        Assert.EndsWith(" 0", Line(after, "mobilevit_admission_offset_seconds"));
        Assert.Matches(" [0-9]+$", Line(after, "mobilevit_admission_calibration_samples"));
        Assert.Contains(after, l => l.StartsWith("mobilevit_admission_finish_ratio_bucket{", StringComparison.Ordinal)
            && l.Contains($"model=\"{Model}\"") && l.Contains("le=\"1\"") && !l.EndsWith(" 0"));
        Assert.Contains(after, l => l.StartsWith("mobilevit_admission_start_error_seconds_bucket{", StringComparison.Ordinal)
            && l.Contains($"model=\"{Model}\"") && l.Contains("le=\"0\"") && !l.EndsWith(" 0"));
    }

    private static ByteArrayContent ImageContent()
    {
        var content = new ByteArrayContent(Image);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    private sealed record ProblemJson(string Type);
}
