using System.Net.Sockets;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using MobileViT.Inference.Batching;
using MobileViT.Inference.Serving;
using MobileViT.Service.Tests.Infrastructure;
using static MobileViT.Service.Tests.RequestPath.RequestPathFixture;

namespace MobileViT.Service.Tests.RequestPath;

/// <summary>
/// The same cases through all four protocols. For each, the client gets its protocol's status and the request is
/// counted exactly once in <c>mobilevit.requests</c>, with the expected outcome. The model is held busy by a
/// <see cref="GateInput"/> on its own batcher and time moves on a fake clock, so queueing, deadlines and
/// cancellation are exact.
/// </summary>
[Collection(NonParallelCollection.Name)]
public sealed class OneRequestPathTests(RequestPathFixture fixture) : IClassFixture<RequestPathFixture>
{
    private static readonly Protocol[] Protocols = Enum.GetValues<Protocol>();

    public static TheoryData<Protocol> AllProtocols() => new(Protocols);

    public static TheoryData<Protocol> HttpProtocols() => new(Protocol.Rest, Protocol.KServeRest);

    private static string Status(Protocol protocol, int http, StatusCode grpc) =>
        protocol is Protocol.Rest or Protocol.KServeRest ? http.ToString() : grpc.ToString();

    private static byte[] Image => TestImages.Png(48, 40);

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public Task Success(Protocol protocol) =>
        AssertOneRequestAsync(protocol, Model, RequestOutcome.Success, Status(protocol, 200, StatusCode.OK),
            ct => fixture.Client.SendAsync(protocol, Model, Image, ProtocolClient.Parameters.Valid, ct));

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public Task Unknown_model_is_counted_under_one_placeholder(Protocol protocol) =>
        AssertOneRequestAsync(protocol, InferenceService.UnknownModelLabel, RequestOutcome.Of(ErrorKind.UnknownModel), Status(protocol, 404, StatusCode.NotFound),
            ct => fixture.Client.SendAsync(protocol, "no-such-model-" + Guid.NewGuid().ToString("N"), Image, ProtocolClient.Parameters.Valid, ct));

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public Task Undecodable_image(Protocol protocol) =>
        AssertOneRequestAsync(protocol, Model, RequestOutcome.Of(ErrorKind.InvalidInput), Status(protocol, 400, StatusCode.InvalidArgument),
            ct => fixture.Client.SendAsync(protocol, Model, Encoding.ASCII.GetBytes("this is not an image at all"), ProtocolClient.Parameters.Valid, ct));

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public Task Bad_top_k_or_for_V2_a_bad_shape(Protocol protocol) =>
        AssertOneRequestAsync(protocol, Model, RequestOutcome.Of(ErrorKind.InvalidInput), Status(protocol, 400, StatusCode.InvalidArgument),
            ct => fixture.Client.SendAsync(protocol, Model, Image, ProtocolClient.Parameters.OutOfRange, ct));

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public Task Not_ready(Protocol protocol) =>
        AssertOneRequestAsync(protocol, Pending, RequestOutcome.Of(ErrorKind.Unavailable), Status(protocol, 503, StatusCode.Unavailable),
            ct => fixture.Client.SendAsync(protocol, Pending, Image, ProtocolClient.Parameters.Valid, ct));

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public async Task Queue_full(Protocol protocol)
    {
        await using var busy = await HeldModel.StartAsync(fixture.Served, queued: QueueCapacity);
        Assert.Equal(QueueCapacity, fixture.Served.Batcher.QueueDepth);

        await AssertOneRequestAsync(protocol, Model, RequestOutcome.Of(ErrorKind.QueueFull), Status(protocol, 429, StatusCode.ResourceExhausted),
            ct => fixture.Client.SendAsync(protocol, Model, Image, ProtocolClient.Parameters.Valid, ct));
    }

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public async Task Deadline_passed_in_the_queue_and_the_request_never_ran(Protocol protocol)
    {
        var before = fixture.Served.Batcher.ImagesRun;
        var busy = await HeldModel.StartAsync(fixture.Served, queued: 0);

        await AssertOneRequestAsync(protocol, Model, RequestOutcome.Of(ErrorKind.DeadlineExceeded), Status(protocol, 504, StatusCode.DeadlineExceeded), async ct =>
        {
            var sent = fixture.Client.SendAsync(protocol, Model, Image, ProtocolClient.Parameters.Valid, ct);
            await WaitUntilQueued(1);
            fixture.Clock.Advance(DefaultDeadline);
            return await sent;
        });

        await busy.DisposeAsync();
        Assert.Equal(1, fixture.Served.Batcher.ImagesRun - before);
    }

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public async Task Cancelled_by_the_client_while_queued(Protocol protocol)
    {
        var before = fixture.Served.Batcher.ImagesRun;
        var busy = await HeldModel.StartAsync(fixture.Served, queued: 0);
        var counted = fixture.Requests.For(Model);
        using var cancel = new CancellationTokenSource();

        var sent = fixture.Client.SendAsync(protocol, Model, Image, ProtocolClient.Parameters.Valid, cancel.Token);
        await WaitUntilQueued(1);
        cancel.Cancel();
        if (protocol is Protocol.Grpc or Protocol.KServeGrpc)
            Assert.Equal(StatusCode.Cancelled.ToString(), await sent);
        else
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sent);
        await fixture.Requests.WaitForTotalAsync(Model, counted.Values.Sum() + 1, TimeSpan.FromSeconds(30));

        AssertCountedOnce(protocol, Model, counted, RequestOutcome.Of(ErrorKind.Cancelled));
        await busy.DisposeAsync();
        Assert.Equal(1, fixture.Served.Batcher.ImagesRun - before);
    }

    [Theory]
    [MemberData(nameof(HttpProtocols))]
    public async Task Slow_body_is_408_a_client_error_and_logs_no_error(Protocol protocol)
    {
        var errorsBefore = fixture.Logs.Entries.Count(e => e.Level >= LogLevel.Error);
        var (path, contentType, start) = protocol == Protocol.Rest
            ? ($"/v1/models/{Model}/classify", "image/png", Image[..16])
            : ($"/v2/models/{Model}/infer", "application/json", Encoding.ASCII.GetBytes("{\"inputs\":["));

        await AssertOneRequestAsync(protocol, Model, RequestOutcome.Of(ErrorKind.InvalidInput), "408", async ct =>
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync(fixture.Service.BaseAddress.Host, fixture.Service.BaseAddress.Port, ct);
            var stream = socket.GetStream();
            var head = $"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {contentType}\r\nContent-Length: 100000\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head).Concat(start).ToArray(), ct);
            // Nothing more is sent: the body arrives below the minimum rate, and the server answers on its own.
            return StatusLine(await ReadHeadAsync(stream, ct));
        });

        Assert.Equal(errorsBefore, fixture.Logs.Entries.Count(e => e.Level >= LogLevel.Error));
    }

    [Fact]
    public Task A_malformed_V2_grpc_parameter_is_counted_like_any_bad_input() =>
        AssertOneRequestAsync(Protocol.KServeGrpc, Model, RequestOutcome.Of(ErrorKind.InvalidInput), StatusCode.InvalidArgument.ToString(), async ct =>
        {
            var client = new MobileViT.Service.KServe.V2.GRPCInferenceService.GRPCInferenceServiceClient(fixture.Channel);
            var request = new MobileViT.Service.KServe.V2.ModelInferRequest { ModelName = Model };
            request.Parameters["timeout"] = new MobileViT.Service.KServe.V2.InferParameter { StringParam = "soon" };
            try
            {
                await client.ModelInferAsync(request, cancellationToken: ct);
                return StatusCode.OK.ToString();
            }
            catch (RpcException e)
            {
                return e.StatusCode.ToString();
            }
        });

    private async Task AssertOneRequestAsync(Protocol protocol, string model, string outcome, string expectedStatus, Func<CancellationToken, Task<string>> send)
    {
        var counted = fixture.Requests.For(model);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var status = await send(timeout.Token);

        Assert.Equal(expectedStatus, status);
        await fixture.Requests.WaitForTotalAsync(model, counted.Values.Sum() + 1, TimeSpan.FromSeconds(30));
        AssertCountedOnce(protocol, model, counted, outcome);
    }

    private void AssertCountedOnce(Protocol protocol, string model, IReadOnlyDictionary<(string Protocol, string Outcome), long> before, string outcome)
    {
        var after = fixture.Requests.For(model);
        var changed = after.Where(c => c.Value != before.GetValueOrDefault(c.Key))
            .ToDictionary(c => c.Key, c => c.Value - before.GetValueOrDefault(c.Key));
        Assert.Equal(new Dictionary<(string, string), long> { [(ProtocolClient.MetricsProtocol(protocol), outcome)] = 1 }, changed);
    }

    private Task WaitUntilQueued(int depth) => QueueWatch.UntilDepthAsync(fixture.Served.Batcher, depth);

    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains("\r\n\r\n"))
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
                break;
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        return received.ToString();
    }

    private static string StatusLine(string head) => head.Split(' ', 3) is [_, var status, ..] ? status : "(no response)";
}
