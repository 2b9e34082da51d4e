using System.Net.Http.Headers;
using System.Net.Http.Json;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using MobileViT.Inference.Models;
using MobileViT.Service.Access;
using MobileViT.Service.Transport;
using SkiaSharp;

namespace MobileViT.Service.Hosting;

/// <summary>
/// Once every model is warm, sends the service one real request per protocol over loopback (REST classify and batch,
/// model listing, KServe V2 REST and gRPC, the gRPC classifier) before readiness turns true, so that the first
/// client does not pay for what the first pass through each path costs (minimal API delegates, serializers, gRPC
/// method handlers, first allocations): measured in docs/benchmarks.md. They authenticate with a per-process secret
/// (<see cref="WarmUpCredential"/>) and are counted like any request, with the client <c>warm-up</c>. A failure is
/// logged and readiness is not held back by it.
/// </summary>
internal sealed class RequestPathWarmUp(ModelRegistry registry, IServer server, GrpcEndpoint grpc, WarmUpCredential credential,
    IHostApplicationLifetime lifetime, IOptions<WarmUpOptions> options, ILogger<RequestPathWarmUp> logger) : BackgroundService
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.RequestPath)
            registry.HoldReadinessUntil(_done.Task);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RequestPath)
            return;
        try
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
                await Task.WhenAll(started.Task, registry.WhenAllLoaded).WaitAsync(stoppingToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            var elapsed = System.Diagnostics.Stopwatch.StartNew();
            await WarmAsync(timeout.Token);
            WarmUpLog.Warmed(logger, elapsed.Elapsed.TotalMilliseconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (!registry.AnyFailed)
        {
            WarmUpLog.Failed(logger, e.Message);
        }
        catch (Exception)
        {
            // A model failed to load: the service is stopping with its own error.
        }
        finally
        {
            _done.TrySetResult();
        }
    }

    private async Task WarmAsync(CancellationToken cancellationToken)
    {
        var http = server.Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(a => new Uri(a.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "[::1]", StringComparison.Ordinal)))
            .FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttp && a.Port != grpc.Address?.Port);
        var model = registry.DefaultModelName;
        var image = SmallJpeg();
        if (http is not null)
        {
            using var client = new HttpClient { BaseAddress = http };
            client.DefaultRequestHeaders.Add(WarmUpCredential.Header, credential.Secret);
            await SendAsync(client, HttpMethod.Get, "v1/models", null, cancellationToken);
            await SendAsync(client, HttpMethod.Post, $"v1/models/{model}/classify", Image(image), cancellationToken);
            var batch = new MultipartFormDataContent { { Image(image), "images", "warm-up.jpg" } };
            await SendAsync(client, HttpMethod.Post, $"v1/models/{model}/classify/batch", batch, cancellationToken);
            var v2 = JsonContent.Create(new { inputs = new[] { new { name = "image", shape = new[] { 1 }, datatype = "BYTES", data = new[] { Convert.ToBase64String(image) } } } });
            await SendAsync(client, HttpMethod.Post, $"v2/models/{model}/infer", v2, cancellationToken);
        }
        if (grpc.Address is { } address && address.Scheme == Uri.UriSchemeHttp)
        {
            using var channel = GrpcChannel.ForAddress(address);
            var headers = new global::Grpc.Core.Metadata { { WarmUpCredential.Header, credential.Secret } };
            await new Grpc.V1.Classifier.ClassifierClient(channel).ClassifyAsync(
                new Grpc.V1.ClassifyRequest { Model = model, Image = Google.Protobuf.ByteString.CopyFrom(image) }, headers, cancellationToken: cancellationToken);
            var infer = new KServe.V2.ModelInferRequest { ModelName = model };
            var tensor = new KServe.V2.ModelInferRequest.Types.InferInputTensor { Name = "image", Datatype = "BYTES", Shape = { 1 } };
            tensor.Contents = new KServe.V2.InferTensorContents { BytesContents = { Google.Protobuf.ByteString.CopyFrom(image) } };
            infer.Inputs.Add(tensor);
            await new KServe.V2.GRPCInferenceService.GRPCInferenceServiceClient(channel).ModelInferAsync(infer, headers, cancellationToken: cancellationToken);
        }
    }

    private static async Task SendAsync(HttpClient client, HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await client.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    private static ByteArrayContent Image(byte[] jpeg)
    {
        var content = new ByteArrayContent(jpeg);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        return content;
    }

    private static byte[] SmallJpeg()
    {
        using var bitmap = new SKBitmap(64, 48, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(new SKColor(120, 160, 90));
        using var image = SKImage.FromBitmap(bitmap);
        using var encoded = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return encoded.ToArray();
    }
}
