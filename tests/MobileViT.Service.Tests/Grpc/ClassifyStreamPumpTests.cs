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
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(ClassifyStreamResponse message) => WriteAsync(message, CancellationToken.None);

        public async Task WriteAsync(ClassifyStreamResponse message, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Started);
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

        var running = pump.RunAsync((_, _) =>
        {
            Interlocked.Increment(ref classified);
            return Task.FromResult(new ClassifyResponse());
        });
        for (var i = 0; i < 2000 && Volatile.Read(ref writer.Started) == 0; i++)
            await Task.Delay(5);
        // Everything that can happen without the client reading has happened once the reader waits for a slot.
        for (var i = 0; i < 2000 && Volatile.Read(ref classified) < 4; i++)
            await Task.Delay(5);
        await Task.Delay(100);

        Assert.Equal(4, requests.Read);
        Assert.Equal(4, Volatile.Read(ref classified));
        Assert.Equal(1, writer.Started);
        call.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
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
