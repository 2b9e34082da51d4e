using Grpc.Net.Client;

namespace MobileViT.Cli.Bench;

internal static class GrpcBenchChannel
{
    public static GrpcChannel Create(Uri address, string? apiKey = null) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = BenchHandler.Create(apiKey, multipleHttp2Connections: true),
        MaxReceiveMessageSize = 64 * 1024 * 1024,
        MaxSendMessageSize = 64 * 1024 * 1024,
    });
}
