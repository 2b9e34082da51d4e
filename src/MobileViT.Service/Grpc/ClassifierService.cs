using Grpc.Core;
using Microsoft.Extensions.Options;
using MobileViT.Inference.Models;
using MobileViT.Inference.Serving;
using MobileViT.Service.Access;
using MobileViT.Service.Grpc.V1;
using MobileViT.Service.Transport;

namespace MobileViT.Service.Grpc;

/// <summary><c>mobilevit.v1.Classifier</c>: encoded images in, top-k classes out, each through one request scope of the inference core.</summary>
internal sealed class ClassifierService(InferenceService inference, ModelRegistry registry, IOptions<GrpcOptions> grpcOptions) : Classifier.ClassifierBase
{
    [InferenceEndpoint(GrpcCallDeadline.Protocol)]
    public override Task<ClassifyResponse> Classify(ClassifyRequest request, ServerCallContext context) =>
        ClassifyAsync(request.Image, request.Model, request.Version, request.TopK, 0, request.Priority, context, context.CancellationToken);

    public override Task ClassifyStream(IAsyncStreamReader<ClassifyStreamRequest> requestStream, IServerStreamWriter<ClassifyStreamResponse> responseStream,
        ServerCallContext context) =>
        new ClassifyStreamPump(requestStream, responseStream, grpcOptions.Value.MaxInFlightPerStream, context.CancellationToken)
            .RunAsync((item, cancellationToken) => ClassifyAsync(item.Image, item.Model, item.Version, item.TopK, item.TimeoutMs, item.Priority, context,
                cancellationToken));

    public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var response = new ListModelsResponse { DefaultModel = registry.DefaultModelName };
        response.Models.AddRange(registry.DescribeAll().Select(ClassifierMessages.ToMessage));
        return Task.FromResult(response);
    }

    private async Task<ClassifyResponse> ClassifyAsync(Google.Protobuf.ByteString image, string model, long version, int topK, uint timeoutMs, Priority priority,
        ServerCallContext context, CancellationToken cancellationToken)
    {
        using var call = inference.Begin(new InferenceRequest(model, GrpcCallDeadline.Protocol, context.GetHttpContext().Caller())
        {
            Deadline = context.DeadlineOf(),
            // 0: the default version; a negative one names no version and is refused as unknown.
            Version = version == 0 ? null : version.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        try
        {
            if (!Enum.IsDefined(priority))
                throw new InvalidRequestException($"priority must be PRIORITY_HIGH, PRIORITY_NORMAL, PRIORITY_LOW or unspecified (was {(int)priority}).", ErrorCodes.BadPriority);
            call.Admit(RequestPriorities.FromLevel((int)priority, "priority"), timeoutMs == 0 ? null : TimeSpan.FromMilliseconds(timeoutMs));
            using var held = ClassifyImageInput.Hold(image, context);
            var response = await call.RunAsync(new InferenceInput.EncodedImages([image.Memory]), RequestedOutput.Classes(topK == 0 ? null : topK), cancellationToken);
            return ClassifierMessages.ToResponse(response);
        }
        catch (Exception e)
        {
            call.Fail(e);
            throw;
        }
    }
}
