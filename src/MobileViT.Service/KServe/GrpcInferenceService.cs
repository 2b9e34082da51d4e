using Google.Protobuf;
using Grpc.Core;
using MobileViT.Inference.Models;
using MobileViT.Inference.Serving;
using Microsoft.AspNetCore.Authorization;
using MobileViT.Service.Access;
using MobileViT.Service.KServe.V2;
using MobileViT.Service.Transport;

namespace MobileViT.Service.KServe;

/// <summary>The KServe V2 Open Inference Protocol over gRPC (<c>inference.GRPCInferenceService</c>).</summary>
internal sealed class GrpcInferenceService(ModelRegistry registry, InferenceService inference) : GRPCInferenceService.GRPCInferenceServiceBase
{
    [AllowAnonymous]
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    [AllowAnonymous]
    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = registry.IsReady });

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context)
    {
        V2Inference.RequireVersion(request.Name, request.Version);
        return Task.FromResult(new ModelReadyResponse { Ready = registry.Get(request.Name).State == ModelState.Ready });
    }

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerMetadataResponse { Name = V2ModelMetadata.ServerName, Version = V2ModelMetadata.ServerVersion, Extensions = { V2ModelMetadata.Extensions } });

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        V2Inference.RequireVersion(request.Name, request.Version);
        var model = registry.Describe(registry.GetAdmitting(request.Name).Name);
        var loaded = model.Loaded!;
        var response = new ModelMetadataResponse { Name = model.Name, Platform = V2ModelMetadata.Platform, Versions = { V2Inference.Version } };
        response.Inputs.AddRange(V2ModelMetadata.Inputs(loaded).Select(ToMessage));
        response.Outputs.AddRange(V2ModelMetadata.Outputs(loaded).Select(ToMessage));
        return Task.FromResult(response);
    }

    [InferenceEndpoint(GrpcCallDeadline.Protocol)]
    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        using var call = inference.Begin(new InferenceRequest(request.ModelName, GrpcCallDeadline.Protocol, context.GetHttpContext().Caller())
        {
            Deadline = context.DeadlineOf(),
        });
        try
        {
            V2Inference.RequireVersion(request.ModelName, request.ModelVersion);
            var requested = request.Outputs.Select(o => new V2RequestedOutput(o.Name, Classification(o))).ToList();
            long? timeout = request.Parameters.TryGetValue("timeout", out var t) ? Integer(t, "timeout") : null;
            long? level = request.Parameters.TryGetValue(V2Inference.PriorityParameter, out var p) ? Integer(p, "priority") : null;
            call.Admit(V2Inference.Priority(level), V2Inference.Timeout(timeout));
            using var held = V2GrpcTensorReader.Hold(request, context);
            var input = V2GrpcTensorReader.ToInput(call.Model, request, requested, context, held);
            var result = await call.RunAsync(input, RequestedOutput.Logits, context.CancellationToken);
            var output = call.ShapeOutput(() => V2Inference.ToOutput(result, requested));
            return ToResponse(request, result, output);
        }
        catch (Exception e)
        {
            call.Fail(e);
            throw;
        }
    }

    private static ModelInferResponse ToResponse(ModelInferRequest request, InferenceResponse result, V2InferenceOutput output)
    {
        var response = new ModelInferResponse { ModelName = result.Model.Name, ModelVersion = V2Inference.Version, Id = request.Id };
        response.Parameters["synthetic"] = new InferParameter { BoolParam = result.Model.Synthetic };
        response.Parameters["server_batch_size"] = new InferParameter { Int64Param = output.LargestServerBatch };
        foreach (var tensor in output.Outputs)
        {
            var message = new ModelInferResponse.Types.InferOutputTensor { Name = tensor.Name, Datatype = tensor.Datatype, Shape = { tensor.Shape } };
            response.Outputs.Add(message);
            // Raw output when the client sent raw input (as Triton does), typed contents otherwise.
            if (request.RawInputContents.Count > 0)
                response.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(tensor.ToBinary()));
            else if (tensor.Fp32 is not null)
                message.Contents = new InferTensorContents { Fp32Contents = { tensor.Fp32 } };
            else
                message.Contents = new InferTensorContents { BytesContents = { tensor.Strings!.Select(ByteString.CopyFromUtf8) } };
        }
        return response;
    }

    private static int? Classification(ModelInferRequest.Types.InferRequestedOutputTensor output) =>
        output.Parameters.TryGetValue("classification", out var p) ? (int)Math.Clamp(Integer(p, "classification"), int.MinValue, int.MaxValue) : null;

    private static long Integer(InferParameter parameter, string name) => parameter.ParameterChoiceCase switch
    {
        InferParameter.ParameterChoiceOneofCase.Int64Param => parameter.Int64Param,
        InferParameter.ParameterChoiceOneofCase.Uint64Param => (long)Math.Min(parameter.Uint64Param, long.MaxValue),
        _ => throw new InvalidRequestException($"Parameter '{name}' must be an int64_param or uint64_param.", ErrorCodes.BadParameter),
    };

    private static ModelMetadataResponse.Types.TensorMetadata ToMessage(V2ModelMetadata.Tensor tensor) =>
        new() { Name = tensor.Name, Datatype = tensor.Datatype, Shape = { tensor.Shape } };
}
