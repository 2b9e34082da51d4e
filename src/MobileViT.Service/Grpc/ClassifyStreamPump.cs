using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Grpc.Core;
using MobileViT.Service.Grpc.V1;
using MobileViT.Service.Transport;

namespace MobileViT.Service.Grpc;

/// <summary>
/// Runs one ClassifyStream call: reads items, runs each concurrently, and writes each result as soon as it is ready
/// through a single writer loop (a response stream takes one write at a time). An item holds a slot from the moment
/// it is read until its response is written, so a client that stops reading stops the server from reading more:
/// at most <c>maxInFlight</c> items are buffered per stream.
/// </summary>
internal sealed class ClassifyStreamPump(IAsyncStreamReader<ClassifyStreamRequest> requests, IServerStreamWriter<ClassifyStreamResponse> responses,
    int maxInFlight, CancellationToken callCancelled)
{
    private readonly Channel<ClassifyStreamResponse> _completed = Channel.CreateUnbounded<ClassifyStreamResponse>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _slots = new(maxInFlight, maxInFlight);

    // The reader holds one count until the request stream ends; each item holds one until its response is queued.
    private int _unfinished = 1;

    public async Task RunAsync(Func<ClassifyStreamRequest, CancellationToken, Task<ClassifyResponse>> classify)
    {
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(callCancelled);
        var writing = WriteResponsesAsync(stream);
        ExceptionDispatchInfo? readFailure = null;
        try
        {
            while (true)
            {
                await _slots.WaitAsync(stream.Token);
                if (!await requests.MoveNext(stream.Token))
                {
                    _slots.Release();
                    break;
                }
                var item = requests.Current;
                Interlocked.Increment(ref _unfinished);
                _ = Task.Run(() => RunItemAsync(item, classify, stream.Token));
            }
        }
        catch (Exception e)
        {
            readFailure = ExceptionDispatchInfo.Capture(e);
            stream.Cancel();
        }
        finally
        {
            Finished();
        }
        await writing;
        readFailure?.Throw();
    }

    private async Task RunItemAsync(ClassifyStreamRequest item, Func<ClassifyStreamRequest, CancellationToken, Task<ClassifyResponse>> classify,
        CancellationToken cancellationToken)
    {
        var response = new ClassifyStreamResponse { Id = item.Id };
        try
        {
            response.Result = await classify(item, cancellationToken);
        }
        catch (Exception e)
        {
            var status = GrpcStatusTable.ToStatus(e) ?? new Status(StatusCode.Internal, "Unexpected error: " + e.Message);
            response.Error = new ItemError { Code = (int)status.StatusCode, Message = status.Detail };
        }
        _completed.Writer.TryWrite(response);
        Finished();
    }

    private async Task WriteResponsesAsync(CancellationTokenSource stream)
    {
        try
        {
            await foreach (var response in _completed.Reader.ReadAllAsync(stream.Token))
            {
                await responses.WriteAsync(response, stream.Token);
                _slots.Release();
            }
        }
        catch
        {
            // The client is gone or the call ended: stop reading and abandon queued items.
            stream.Cancel();
            throw;
        }
    }

    private void Finished()
    {
        if (Interlocked.Decrement(ref _unfinished) == 0)
            _completed.Writer.TryComplete();
    }
}
