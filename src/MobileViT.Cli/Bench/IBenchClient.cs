namespace MobileViT.Cli.Bench;

/// <summary>Sends one encoded image to a server and reports the outcome.</summary>
public interface IBenchClient : IAsyncDisposable
{
    string Protocol { get; }

    Task<BenchResponse> SendAsync(byte[] image, CancellationToken cancellationToken);
}
