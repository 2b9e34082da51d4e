using Grpc.Core;
using Microsoft.Extensions.Options;
using MobileViT.Inference.Models;
using MobileViT.Inference.Serving;
using MobileViT.Service.Grpc.V1;
using MobileViT.Service.Transport;

namespace MobileViT.Service.Grpc;

/// <summary><c>mobilevit.v1.Classifier</c>: encoded images in, top-k classes out, through the inference core's one entry point.</summary>
public sealed class ClassifierService(InferenceService inference, ModelRegistry registry, IOptions<GrpcOptions> grpcOptions) : Classifier.ClassifierBase
{
    [CoreAdmission]
    public override async Task<ClassifyResponse> Classify(ClassifyRequest request, ServerCallContext context) =>
        await ClassifyAsync(request.Image, request.Model, request.TopK, 0, request.Priority, context, context.CancellationToken);

    public override Task ClassifyStream(IAsyncStreamReader<ClassifyStreamRequest> requestStream, IServerStreamWriter<ClassifyStreamResponse> responseStream,
        ServerCallContext context) =>
        new ClassifyStreamPump(requestStream, responseStream, grpcOptions.Value.MaxInFlightPerStream, context.CancellationToken)
            .RunAsync((item, cancellationToken) => ClassifyAsync(item.Image, item.Model, item.TopK, item.TimeoutMs, item.Priority, context, cancellationToken));

    public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var response = new ListModelsResponse { DefaultModel = registry.DefaultModelName };
        response.Models.AddRange(registry.DescribeAll().Select(ClassifierMessages.ToMessage));
        return Task.FromResult(response);
    }

    private async Task<ClassifyResponse> ClassifyAsync(Google.Protobuf.ByteString image, string model, int topK, uint timeoutMs, Priority priority,
        ServerCallContext context, CancellationToken cancellationToken)
    {
        // An unknown enum number is a bad argument, reported from the input reader so that the request is counted.
        var known = Enum.IsDefined(priority);
        var request = new InferenceRequest
        {
            Model = model,
            Protocol = GrpcCallDeadline.Protocol,
            TopK = topK == 0 ? null : topK,
            Timeout = timeoutMs == 0 ? null : TimeSpan.FromMilliseconds(timeoutMs),
            Deadline = context.DeadlineOf(),
            Priority = known ? RequestPriorities.FromLevel((int)priority, "priority") : RequestPriority.Normal,
        }.WithCallerOf(context);
        var response = await inference.InferAsync(request, (_, _) => known
            ? ValueTask.FromResult(ClassifyImageInput.Of(image, context))
            : throw new InvalidRequestException($"priority must be PRIORITY_HIGH, PRIORITY_NORMAL, PRIORITY_LOW or unspecified (was {(int)priority}).", "bad-priority"),
            cancellationToken);
        return ClassifierMessages.ToResponse(response);
    }
}
