namespace MobileViT.Service.Http;

/// <summary>One encoded image taken from a request body or a multipart part.</summary>
public sealed record ImageUpload(ReadOnlyMemory<byte> Bytes, string? FileName);
