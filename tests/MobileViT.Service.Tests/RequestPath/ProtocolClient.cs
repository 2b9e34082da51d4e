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

    /// <summary>
    /// <paramref name="priority"/>: null sends none; <c>high</c>, <c>normal</c> or <c>low</c> in each protocol's form
    /// (header, enum, Triton level); anything else as an invalid value of that form.
    /// </summary>
    public async Task<string> SendAsync(Protocol protocol, string model, byte[] image, Parameters parameters, CancellationToken cancellationToken,
        string? priority = null)
    {
        try
        {
            return protocol switch
            {
                Protocol.Rest => await RestAsync(model, image, parameters, priority, cancellationToken),
                Protocol.Grpc => await GrpcAsync(model, image, parameters, priority, cancellationToken),
                Protocol.KServeRest => await KServeRestAsync(model, image, parameters, priority, cancellationToken),
                _ => await KServeGrpcAsync(model, image, parameters, priority, cancellationToken),
            };
        }
        catch (RpcException e)
        {
            return e.StatusCode.ToString();
        }
    }

    /// <summary>Triton's priority level for a priority name: 1 high, 2 normal, 3 low; null for an invalid name.</summary>
    private static int? Level(string priority) => priority switch { "high" => 1, "normal" => 2, "low" => 3, _ => null };

    private async Task<string> RestAsync(string model, byte[] image, Parameters parameters, string? priority, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var topK = parameters == Parameters.Valid ? 3 : 5000;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"v1/models/{model}/classify?topK={topK}") { Content = content };
        if (priority is not null)
            request.Headers.Add("x-request-priority", priority);
        using var response = await http.SendAsync(request, cancellationToken);
        return ((int)response.StatusCode).ToString();
    }

    private async Task<string> GrpcAsync(string model, byte[] image, Parameters parameters, string? priority, CancellationToken cancellationToken)
    {
        var client = new Classifier.ClassifierClient(channel);
        var request = new ClassifyRequest { Model = model, Image = ByteString.CopyFrom(image), TopK = parameters == Parameters.Valid ? 3 : 5000 };
        if (priority is not null)
            request.Priority = (Priority)(Level(priority) ?? 99);
        await client.ClassifyAsync(request, cancellationToken: cancellationToken);
        return StatusCode.OK.ToString();
    }

    private async Task<string> KServeRestAsync(string model, byte[] image, Parameters parameters, string? priority, CancellationToken cancellationToken)
    {
        var shape = parameters == Parameters.Valid ? new[] { 1 } : [2];
        var inputs = new[] { new { name = "image", shape, datatype = "BYTES", data = new[] { Convert.ToBase64String(image) } } };
        object body = priority is null
            ? new { inputs }
            : new { parameters = new Dictionary<string, object> { ["priority"] = Level(priority) is { } level ? level : priority }, inputs };
        using var response = await http.PostAsJsonAsync($"v2/models/{model}/infer", body, cancellationToken);
        return ((int)response.StatusCode).ToString();
    }

    private async Task<string> KServeGrpcAsync(string model, byte[] image, Parameters parameters, string? priority, CancellationToken cancellationToken)
    {
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var input = new ModelInferRequest.Types.InferInputTensor
        {
            Name = "image",
            Datatype = "BYTES",
            Shape = { parameters == Parameters.Valid ? 1 : 2 },
            Contents = new InferTensorContents { BytesContents = { ByteString.CopyFrom(image) } },
        };
        var request = new ModelInferRequest { ModelName = model, Inputs = { input } };
        if (priority is not null)
            request.Parameters["priority"] = Level(priority) is { } level ? new InferParameter { Int64Param = level } : new InferParameter { StringParam = priority };
        await client.ModelInferAsync(request, cancellationToken: cancellationToken);
        return StatusCode.OK.ToString();
    }
}
