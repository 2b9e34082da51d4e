using System.Buffers.Binary;
using Grpc.Core;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Limits;
using MobileViT.Inference.Models;
using MobileViT.Inference.Serving;
using MobileViT.Service.KServe.V2;
using MobileViT.Service.Transport;

namespace MobileViT.Service.KServe;

/// <summary>
/// The inputs of a gRPC <c>ModelInfer</c> request as the core's input: typed contents or raw contents, each checked
/// against its declared shape and the limits (overflow-safe) before anything is made from it. The message is already
/// in memory (gRPC read it, up to <c>MaxReceiveMessageBytes</c>); it and the copies made from it are reserved on the
/// request memory budget for as long as the request runs.
/// </summary>
internal static class V2GrpcTensorReader
{
    /// <summary>A lease on the request memory budget holding the message's size; dispose it once the request has run.</summary>
    public static RequestMemoryLease Hold(ModelInferRequest request, ServerCallContext context) =>
        context.GetHttpContext().HoldReceived(request.CalculateSize());

    /// <summary>The core's input, with what is copied from the message reserved on <paramref name="held"/>.</summary>
    public static InferenceInput ToInput(ServedModel model, ModelInferRequest request, IReadOnlyList<V2RequestedOutput> requested, ServerCallContext context,
        RequestMemoryLease held)
    {
        var limits = context.GetHttpContext().RequestServices.GetRequiredService<MobileViTOptions>().Limits;
        return V2Inference.ToInput(model, Read(request, limits, held), requested);
    }

    public static List<V2InputTensor> Read(ModelInferRequest request, ImageLimitsOptions limits, RequestMemoryLease lease)
    {
        var raw = request.RawInputContents;
        if (raw.Count > 0 && raw.Count != request.Inputs.Count)
            throw new InvalidRequestException($"raw_input_contents has {raw.Count} entries for {request.Inputs.Count} inputs; send one per input or none.", ErrorCodes.InvalidTensor);
        if (request.Inputs.Count > V2RestRequestParser.MaxInputs)
            throw new InvalidRequestException($"The request has {request.Inputs.Count} inputs; at most {V2RestRequestParser.MaxInputs} are accepted.", ErrorCodes.InvalidTensor);
        var inputs = new List<V2InputTensor>(request.Inputs.Count);
        for (var i = 0; i < request.Inputs.Count; i++)
        {
            var input = request.Inputs[i];
            var name = ClientText.Excerpt(input.Name);
            var bytesType = input.Datatype == V2ModelMetadata.BytesType;
            // BYTES are images, at most MaxImagesPerRequest; FP32 values, at most what the message holds.
            var count = V2TensorShape.ElementCount(input.Name, input.Shape, bytesType ? limits.MaxImagesPerRequest : int.MaxValue);
            var contents = input.Contents;
            ReadOnlyMemory<float> fp32 = default;
            IReadOnlyList<ReadOnlyMemory<byte>> bytes = [];
            if (raw.Count > 0)
            {
                if (contents is not null && (contents.Fp32Contents.Count > 0 || contents.BytesContents.Count > 0))
                    throw new InvalidRequestException($"Input '{name}' has both contents and raw_input_contents; send one.", ErrorCodes.InvalidTensor);
                if (bytesType)
                    bytes = V2BytesElements.Split(input.Name, raw[i].Memory, count, limits.MaxImageBytes);
                else
                    fp32 = RawFloats(name, raw[i].Span, lease);
            }
            else if (contents is not null)
            {
                if (contents.BytesContents.Count > count)
                    throw new InvalidRequestException($"Input '{name}' has {contents.BytesContents.Count} bytes_contents elements; its shape declares {count}.", ErrorCodes.InvalidTensor);
                if (contents.BytesContents.FirstOrDefault(b => b.Length > limits.MaxImageBytes) is { } large)
                {
                    throw new RequestTooLargeException(
                        $"An element of input '{name}' is {large.Length} bytes, over the limit of {limits.MaxImageBytes} per image (MobileViT__Limits__MaxImageBytes).");
                }
                lease.Reserve((long)contents.Fp32Contents.Count * sizeof(float));
                fp32 = contents.Fp32Contents.ToArray();
                bytes = contents.BytesContents.Select(b => b.Memory).ToList();
            }
            inputs.Add(new V2InputTensor(input.Name, input.Datatype, input.Shape, fp32, bytes));
        }
        return inputs;
    }

    private static float[] RawFloats(string name, ReadOnlySpan<byte> raw, RequestMemoryLease lease)
    {
        if (raw.Length % sizeof(float) != 0)
            throw new InvalidRequestException($"Raw contents of input '{name}' are {raw.Length} bytes, not a whole number of FP32 values.", ErrorCodes.InvalidTensor);
        lease.Reserve(raw.Length);
        var values = GC.AllocateUninitializedArray<float>(raw.Length / sizeof(float));
        for (var i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * sizeof(float)));
        return values;
    }
}
