using System.Runtime.InteropServices;

namespace MobileViT.Service.KServe;

/// <summary>
/// One output tensor of a V2 response: FP32 values (the logits) or BYTES strings (classification), and whether the
/// client asked for it as REST binary data.
/// </summary>
internal sealed record V2OutputTensor(string Name, string Datatype, long[] Shape, float[]? Fp32, IReadOnlyList<string>? Strings, bool Binary)
{
    /// <summary>The tensor in the protocol's binary form: little-endian values, or length-prefixed elements.</summary>
    public byte[] ToBinary() => Fp32 is not null ? MemoryMarshal.AsBytes(Fp32.AsSpan()).ToArray() : V2BytesElements.Join(Strings!);
}

/// <summary>The outputs of a V2 response, in the order requested, and the largest server batch any sample shared.</summary>
internal sealed record V2InferenceOutput(IReadOnlyList<V2OutputTensor> Outputs, int LargestServerBatch);
