using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using MobileViT.Inference.Models;
using MobileViT.Inference.Serving;
using MobileViT.Service.KServe.V2;
using MobileViT.Service.Transport;

namespace MobileViT.Service.KServe;

/// <summary>The KServe V2 Open Inference Protocol over gRPC (<c>inference.GRPCInferenceService</c>).</summary>
public sealed class GrpcInferenceService(ModelRegistry registry, InferenceService inference) : GRPCInferenceService.GRPCInferenceServiceBase
{
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = registry.IsReady });

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context)
    {
        var model = registry.GetConfigured(request.Name);
        return Task.FromResult(new ModelReadyResponse { Ready = registry.StateOf(model.Name) == ModelState.Ready });
    }

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerMetadataResponse { Name = V2ModelMetadata.ServerName, Version = V2ModelMetadata.ServerVersion });

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        var model = registry.Describe(registry.GetAdmitting(request.Name).Name);
        var response = new ModelMetadataResponse { Name = model.Name, Platform = V2ModelMetadata.Platform };
        response.Inputs.AddRange(V2ModelMetadata.Inputs(model).Select(ToMessage));
        response.Outputs.AddRange(V2ModelMetadata.Outputs(model).Select(ToMessage));
        return Task.FromResult(response);
    }

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        InvalidRequestException? badPriority = null;
        var priority = RequestPriority.Normal;
        if (request.Parameters.TryGetValue(V2Inference.PriorityParameter, out var level))
        {
            try
            {
                priority = PriorityOf(level);
            }
            catch (InvalidRequestException e)
            {
                badPriority = e;
            }
        }
        var result = await inference.InferAsync(V2Inference.Request(request.ModelName, GrpcCallDeadline.Protocol, context.DeadlineOf(), priority),
            (model, _) => badPriority is null
                ? ValueTask.FromResult(V2Inference.ToInput(model, ReadInputs(request), request.Outputs.Select(o => o.Name).ToList()))
                : throw badPriority,
            context.CancellationToken);
        var output = V2Inference.ToOutput(result);

        var response = new ModelInferResponse { ModelName = result.Model.Name, Id = request.Id };
        response.Parameters["synthetic"] = new InferParameter { BoolParam = result.Model.Synthetic };
        response.Parameters["server_batch_size"] = new InferParameter { Int64Param = output.LargestServerBatch };
        var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = output.OutputName, Datatype = V2ModelMetadata.Fp32 };
        tensor.Shape.Add(output.BatchSize);
        tensor.Shape.Add(output.ClassCount);
        response.Outputs.Add(tensor);
        // Raw output when the client sent raw input (as Triton does), typed contents otherwise.
        if (request.RawInputContents.Count > 0)
            response.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(MemoryMarshal.AsBytes(output.Logits.AsSpan()).ToArray()));
        else
            tensor.Contents = new InferTensorContents { Fp32Contents = { output.Logits } };
        return response;
    }

    private static RequestPriority PriorityOf(InferParameter level) => level.ParameterChoiceCase switch
    {
        InferParameter.ParameterChoiceOneofCase.Int64Param => RequestPriorities.FromLevel(level.Int64Param, "parameters.priority"),
        InferParameter.ParameterChoiceOneofCase.Uint64Param => RequestPriorities.FromLevel((long)Math.Min(level.Uint64Param, long.MaxValue), "parameters.priority"),
        _ => throw new InvalidRequestException("parameters.priority must be an int64_param or uint64_param: 1 (highest) and up, or 0 for the default.", "bad-priority"),
    };

    private static List<V2InputTensor> ReadInputs(ModelInferRequest request)
    {
        var raw = request.RawInputContents;
        if (raw.Count > 0 && raw.Count != request.Inputs.Count)
            throw new InvalidRequestException($"raw_input_contents has {raw.Count} entries for {request.Inputs.Count} inputs; send one per input or none.", "invalid-tensor");
        var inputs = new List<V2InputTensor>(request.Inputs.Count);
        for (var i = 0; i < request.Inputs.Count; i++)
        {
            var input = request.Inputs[i];
            var contents = input.Contents;
            ReadOnlyMemory<float> fp32 = default;
            IReadOnlyList<ReadOnlyMemory<byte>> bytes = [];
            if (raw.Count > 0)
            {
                if (contents is not null && (contents.Fp32Contents.Count > 0 || contents.BytesContents.Count > 0))
                    throw new InvalidRequestException($"Input '{input.Name}' has both contents and raw_input_contents; send one.", "invalid-tensor");
                if (input.Datatype == V2ModelMetadata.BytesType)
                    bytes = SplitRawBytes(input.Name, raw[i].Memory);
                else
                    fp32 = RawFloats(input.Name, raw[i].Span);
            }
            else if (contents is not null)
            {
                fp32 = contents.Fp32Contents.ToArray();
                bytes = contents.BytesContents.Select(b => b.Memory).ToList();
            }
            inputs.Add(new V2InputTensor(input.Name, input.Datatype, input.Shape, fp32, bytes));
        }
        return inputs;
    }

    private static float[] RawFloats(string name, ReadOnlySpan<byte> raw)
    {
        if (raw.Length % sizeof(float) != 0)
            throw new InvalidRequestException($"Raw contents of input '{name}' are {raw.Length} bytes, not a whole number of FP32 values.", "invalid-tensor");
        var values = new float[raw.Length / sizeof(float)];
        for (var i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * sizeof(float)));
        return values;
    }

    /// <summary>BYTES raw contents: each element is a 4-byte little-endian length followed by that many bytes.</summary>
    private static List<ReadOnlyMemory<byte>> SplitRawBytes(string name, ReadOnlyMemory<byte> raw)
    {
        var elements = new List<ReadOnlyMemory<byte>>();
        var offset = 0;
        while (offset < raw.Length)
        {
            if (raw.Length - offset < 4)
                throw new InvalidRequestException($"Raw contents of BYTES input '{name}' end inside an element's 4-byte length prefix.", "invalid-tensor");
            var length = BinaryPrimitives.ReadUInt32LittleEndian(raw.Span.Slice(offset, 4));
            offset += 4;
            if (length > raw.Length - offset)
                throw new InvalidRequestException($"Raw contents of BYTES input '{name}' declare an element of {length} bytes but only {raw.Length - offset} remain.", "invalid-tensor");
            elements.Add(raw.Slice(offset, (int)length));
            offset += (int)length;
        }
        return elements;
    }

    private static ModelMetadataResponse.Types.TensorMetadata ToMessage(V2ModelMetadata.Tensor tensor) =>
        new() { Name = tensor.Name, Datatype = tensor.Datatype, Shape = { tensor.Shape } };
}
