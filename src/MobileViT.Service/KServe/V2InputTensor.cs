namespace MobileViT.Service.KServe;

/// <summary>
/// One V2 inference input, independent of how it arrived (gRPC typed contents, gRPC raw contents, REST JSON):
/// FP32 data, or BYTES elements.
/// </summary>
internal sealed record V2InputTensor(string Name, string Datatype, IReadOnlyList<long> Shape, ReadOnlyMemory<float> Fp32, IReadOnlyList<ReadOnlyMemory<byte>> Bytes);
