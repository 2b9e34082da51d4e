using Grpc.Core;
using MobileViT.Service.Grpc;
using MobileViT.Service.Grpc.V1;

namespace MobileViT.Service.Tests.Grpc;

/// <summary>Flow control of one stream: a client that never takes responses stops the server reading more requests.</summary>
public sealed class ClassifyStreamPumpTests
{
    private sealed class EndlessRequests : IAsyncStreamReader<ClassifyStreamRequest>
    {
        public int Read;
        public ClassifyStreamRequest Current { get; private set; } = null!;

        public Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            Current = new ClassifyStreamRequest { Id = (++Read).ToString() };
            return Task.FromResult(true);
        }
    }

    /// <summary>A client that has stopped reading: every write waits until the call is cancelled.</summary>
    private sealed class StalledWriter : IServerStreamWriter<ClassifyStreamResponse>
    {
        public int Started;
        public TaskCompletionSource FirstWrite { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(ClassifyStreamResponse message) => WriteAsync(message, CancellationToken.None);

        public async Task WriteAsync(ClassifyStreamResponse message, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Started);
            FirstWrite.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    [Fact]
    public async Task A_client_that_stops_reading_bounds_what_the_server_reads_and_runs()
    {
        var requests = new EndlessRequests();
        var writer = new StalledWriter();
        var classified = 0;
        using var call = new CancellationTokenSource();
        var pump = new ClassifyStreamPump(requests, writer, maxInFlight: 4, call.Token);

        var fourClassified = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = pump.RunAsync((_, _) =>
        {
            if (Interlocked.Increment(ref classified) == 4)
                fourClassified.TrySetResult();
            return Task.FromResult(new ClassifyResponse());
        });
        // Four items fill the four slots; the first response's write never completes, so no slot is ever freed.
        await Task.WhenAll(fourClassified.Task, writer.FirstWrite.Task).WaitAsync(TimeSpan.FromSeconds(30));
        call.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);

        // Counted once the pump has stopped: an unbounded reader would have gone on reading while the four ran.
        Assert.Equal(4, requests.Read);
        Assert.Equal(4, Volatile.Read(ref classified));
        Assert.Equal(1, writer.Started);
    }

    [Fact]
    public async Task Results_are_written_as_they_complete_not_in_submission_order()
    {
        var requests = new ListRequests("slow", "fast");
        var written = new List<string>();
        var fastWritten = new TaskCompletionSource();
        var writer = new RecordingWriter(written, fastWritten);
        var pump = new ClassifyStreamPump(requests, writer, maxInFlight: 8, CancellationToken.None);

        var running = pump.RunAsync(async (item, _) =>
        {
            // "slow" finishes only once "fast", sent after it, has been written back.
            if (item.Id == "slow")
                await fastWritten.Task.WaitAsync(TimeSpan.FromSeconds(10));
            return new ClassifyResponse { Model = item.Id };
        });
        await running;

        Assert.Equal(["fast", "slow"], written);
    }

    private sealed class ListRequests(params string[] ids) : IAsyncStreamReader<ClassifyStreamRequest>
    {
        private int _next;
        public ClassifyStreamRequest Current { get; private set; } = null!;

        public Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (_next == ids.Length)
                return Task.FromResult(false);
            Current = new ClassifyStreamRequest { Id = ids[_next++] };
            return Task.FromResult(true);
        }
    }

    private sealed class RecordingWriter(List<string> written, TaskCompletionSource fastWritten) : IServerStreamWriter<ClassifyStreamResponse>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(ClassifyStreamResponse message, CancellationToken cancellationToken) => WriteAsync(message);

        public Task WriteAsync(ClassifyStreamResponse message)
        {
            lock (written)
                written.Add(message.Id);
            if (message.Id == "fast")
                fastWritten.TrySetResult();
            return Task.CompletedTask;
        }
    }
}
