using Google.Protobuf;
using Grpc.Core;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Models;
using MobileViT.Inference.Models.Repository;
using MobileViT.Inference.Serving;
using Microsoft.AspNetCore.Authorization;
using MobileViT.Service.Access;
using MobileViT.Service.KServe.V2;
using MobileViT.Service.Transport;

namespace MobileViT.Service.KServe;

/// <summary>
/// The KServe V2 Open Inference Protocol over gRPC (<c>inference.GRPCInferenceService</c>), with Triton's model
/// repository extension (<c>RepositoryIndex</c>, <c>RepositoryModelLoad</c>, <c>RepositoryModelUnload</c>: admin scope,
/// and <c>UNIMPLEMENTED</c> unless <c>MobileViT:Repository:ControlApi</c> is on).
/// </summary>
internal sealed class GrpcInferenceService(ModelRegistry registry, InferenceService inference, ModelRepository repository, MobileViTOptions options)
    : GRPCInferenceService.GRPCInferenceServiceBase
{
    [AllowAnonymous]
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    [AllowAnonymous]
    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = registry.IsReady });

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ModelReadyResponse { Ready = registry.IsVersionReady(request.Name, request.Version) });

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerMetadataResponse
        {
            Name = V2ModelMetadata.ServerName, Version = V2ModelMetadata.ServerVersion, Extensions = { V2ModelMetadata.ExtensionsOf(options.Repository.ControlApi) },
        });

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        var served = registry.GetAdmitting(request.Name, request.Version);
        var model = registry.Describe(served.Name);
        var loaded = ModelDescription.FactsOf(served);
        var response = new ModelMetadataResponse { Name = model.Name, Platform = V2ModelMetadata.Platform, Versions = { V2ModelMetadata.ReadyVersions(model) } };
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
            Version = request.ModelVersion,
        });
        try
        {
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
        var response = new ModelInferResponse { ModelName = result.Model.Name, ModelVersion = result.Model.VersionLabel, Id = request.Id };
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

    [Authorize(Policy = AccessPolicies.Admin)]
    public override Task<RepositoryIndexResponse> RepositoryIndex(RepositoryIndexRequest request, ServerCallContext context)
    {
        RequireControlApi();
        var response = new RepositoryIndexResponse();
        response.Models.AddRange(repository.Index(request.Ready).Select(e => new RepositoryIndexResponse.Types.ModelIndex
        {
            Name = e.Name, Version = e.Version, State = e.State, Reason = e.Reason,
        }));
        return Task.FromResult(response);
    }

    [Authorize(Policy = AccessPolicies.Admin)]
    public override async Task<RepositoryModelLoadResponse> RepositoryModelLoad(RepositoryModelLoadRequest request, ServerCallContext context)
    {
        RequireControlApi();
        string? config = null;
        foreach (var (name, parameter) in request.Parameters)
        {
            if (name == "config")
            {
                config = parameter.ParameterChoiceCase == ModelRepositoryParameter.ParameterChoiceOneofCase.StringParam
                    ? parameter.StringParam
                    : throw new InvalidRequestException("Parameter 'config' must be a string_param: a Triton ModelConfig in JSON.", ErrorCodes.BadParameter);
            }
            else if (name.StartsWith("file:", StringComparison.Ordinal))
            {
                throw new InvalidRequestException($"Parameter '{name}': loading model files sent with the request is not supported; put the version in the " +
                    "repository (<model>/<version>/) and load it.", ErrorCodes.BadParameter);
            }
        }
        await repository.LoadAsync(request.ModelName, config, context.CancellationToken);
        return new RepositoryModelLoadResponse();
    }

    [Authorize(Policy = AccessPolicies.Admin)]
    public override async Task<RepositoryModelUnloadResponse> RepositoryModelUnload(RepositoryModelUnloadRequest request, ServerCallContext context)
    {
        RequireControlApi();
        await repository.UnloadAsync(request.ModelName, context.CancellationToken);
        return new RepositoryModelUnloadResponse();
    }

    /// <summary>The control API is off unless enabled: its methods are then as good as absent.</summary>
    private void RequireControlApi()
    {
        if (!options.Repository.ControlApi)
            throw new RpcException(new Status(StatusCode.Unimplemented, "The model control API is off: set MobileViT__Repository__ControlApi=true (it needs a repository and an API key with the admin scope)."));
    }

    private static ModelMetadataResponse.Types.TensorMetadata ToMessage(V2ModelMetadata.Tensor tensor) =>
        new() { Name = tensor.Name, Datatype = tensor.Datatype, Shape = { tensor.Shape } };
}
