using System.Collections.Concurrent;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MobileViT.Service.Grpc.V1;

namespace MobileViT.Cli.Bench;

/// <summary>
/// All requests multiplexed on one bidirectional <c>ClassifyStream</c>: each send writes an item with a fresh id and
/// waits for the result carrying that id; the benchmark's concurrency is the number of items in flight on the stream.
/// </summary>
public sealed class GrpcStreamBenchClient : IBenchClient
{
    private readonly GrpcChannel _channel;
    private readonly AsyncDuplexStreamingCall<ClassifyStreamRequest, ClassifyStreamResponse> _call;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<BenchResponse>> _pending = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Task _reader;
    private readonly string? _model;
    private long _nextId;

    public GrpcStreamBenchClient(Uri address, string? model, string? apiKey = null)
    {
        _model = model;
        _channel = GrpcBenchChannel.Create(address, apiKey);
        _call = new Classifier.ClassifierClient(_channel).ClassifyStream();
        _reader = Task.Run(ReadAsync);
    }

    public string Protocol => "grpc-stream";

    public async Task<BenchResponse> SendAsync(byte[] image, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<BenchResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _call.RequestStream.WriteAsync(new ClassifyStreamRequest { Id = id, Image = UnsafeByteOperations.UnsafeWrap(image), Model = _model ?? "", TopK = 5 },
                cancellationToken);
        }
        catch (RpcException e)
        {
            _pending.TryRemove(id, out _);
            return new BenchResponse(false, e.StatusCode.ToString());
        }
        finally
        {
            _writeLock.Release();
        }
        return await completion.Task.WaitAsync(cancellationToken);
    }

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var response in _call.ResponseStream.ReadAllAsync())
            {
                if (!_pending.TryRemove(response.Id, out var completion))
                    continue;
                completion.TrySetResult(response.OutcomeCase == ClassifyStreamResponse.OutcomeOneofCase.Result
                    ? new BenchResponse(true, "OK", response.Result.Timing.BatchSize, response.Result.Timing.QueueMs, response.Result.Timing.InferenceMs, response.Result.Timing.PreprocessMs)
                    : new BenchResponse(false, ((StatusCode)response.Error.Code).ToString()));
            }
        }
        catch (RpcException e)
        {
            foreach (var pending in _pending.Values)
                pending.TrySetResult(new BenchResponse(false, "stream-" + e.StatusCode));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _call.RequestStream.CompleteAsync();
        await _reader;
        _call.Dispose();
        _channel.Dispose();
    }
}
