using System.Net.Http.Headers;
using System.Net.Http.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MobileViT.Service.Grpc.V1;
using MobileViT.Service.KServe.V2;

namespace MobileViT.Service.Tests.RequestPath;

/// <summary>The four ways a client classifies one image, each answering with its protocol's own status.</summary>
public enum Protocol
{
    Rest,
    Grpc,
    KServeRest,
    KServeGrpc,
}

/// <summary>Sends one image over one protocol and reports the protocol's status: the HTTP status code, or the gRPC status code's name.</summary>
public sealed class ProtocolClient(HttpClient http, GrpcChannel channel)
{
    /// <summary>What a request may get wrong on purpose: nothing, or an out-of-range parameter (top-k; a tensor shape for V2, which has no top-k).</summary>
    public enum Parameters
    {
        Valid,
        OutOfRange,
    }

    public static string MetricsProtocol(Protocol protocol) => protocol is Protocol.Rest or Protocol.KServeRest ? "http" : "grpc";

    public async Task<string> SendAsync(Protocol protocol, string model, byte[] image, Parameters parameters, CancellationToken cancellationToken)
    {
        try
        {
            return protocol switch
            {
                Protocol.Rest => await RestAsync(model, image, parameters, cancellationToken),
                Protocol.Grpc => await GrpcAsync(model, image, parameters, cancellationToken),
                Protocol.KServeRest => await KServeRestAsync(model, image, parameters, cancellationToken),
                _ => await KServeGrpcAsync(model, image, parameters, cancellationToken),
            };
        }
        catch (RpcException e)
        {
            return e.StatusCode.ToString();
        }
    }

    private async Task<string> RestAsync(string model, byte[] image, Parameters parameters, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var topK = parameters == Parameters.Valid ? 3 : 5000;
        using var response = await http.PostAsync($"v1/models/{model}/classify?topK={topK}", content, cancellationToken);
        return ((int)response.StatusCode).ToString();
    }

    private async Task<string> GrpcAsync(string model, byte[] image, Parameters parameters, CancellationToken cancellationToken)
    {
        var client = new Classifier.ClassifierClient(channel);
        await client.ClassifyAsync(new ClassifyRequest { Model = model, Image = ByteString.CopyFrom(image), TopK = parameters == Parameters.Valid ? 3 : 5000 },
            cancellationToken: cancellationToken);
        return StatusCode.OK.ToString();
    }

    private async Task<string> KServeRestAsync(string model, byte[] image, Parameters parameters, CancellationToken cancellationToken)
    {
        var shape = parameters == Parameters.Valid ? new[] { 1 } : [2];
        var body = new { inputs = new[] { new { name = "image", shape, datatype = "BYTES", data = new[] { Convert.ToBase64String(image) } } } };
        using var response = await http.PostAsJsonAsync($"v2/models/{model}/infer", body, cancellationToken);
        return ((int)response.StatusCode).ToString();
    }

    private async Task<string> KServeGrpcAsync(string model, byte[] image, Parameters parameters, CancellationToken cancellationToken)
    {
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var input = new ModelInferRequest.Types.InferInputTensor
        {
            Name = "image",
            Datatype = "BYTES",
            Shape = { parameters == Parameters.Valid ? 1 : 2 },
            Contents = new InferTensorContents { BytesContents = { ByteString.CopyFrom(image) } },
        };
        await client.ModelInferAsync(new ModelInferRequest { ModelName = model, Inputs = { input } }, cancellationToken: cancellationToken);
        return StatusCode.OK.ToString();
    }
}
