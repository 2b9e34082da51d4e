using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MobileViT.Service.Grpc.V1;

namespace MobileViT.Cli.Bench;

/// <summary>One unary <c>Classify</c> call per image over a shared HTTP/2 channel.</summary>
public sealed class GrpcUnaryBenchClient(Uri address, string? model, string? apiKey = null) : IBenchClient
{
    private readonly GrpcChannel _channel = GrpcBenchChannel.Create(address, apiKey);

    public string Protocol => "grpc";

    public async Task<BenchResponse> SendAsync(byte[] image, CancellationToken cancellationToken)
    {
        var client = new Classifier.ClassifierClient(_channel);
        try
        {
            var response = await client.ClassifyAsync(new ClassifyRequest { Image = UnsafeByteOperations.UnsafeWrap(image), Model = model ?? "", TopK = 5 },
                cancellationToken: cancellationToken);
            return new BenchResponse(true, "OK", response.Timing.BatchSize, response.Timing.QueueMs, response.Timing.InferenceMs, response.Timing.PreprocessMs);
        }
        catch (RpcException e)
        {
            return new BenchResponse(false, e.StatusCode.ToString());
        }
    }

    public ValueTask DisposeAsync()
    {
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }
}
