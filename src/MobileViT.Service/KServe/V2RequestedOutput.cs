namespace MobileViT.Service.KServe;

/// <summary>
/// An output the client asked for, whatever protocol form it came in: its name, the classification extension's count
/// (top N as <c>"value:index:label"</c> strings instead of the tensor) and whether REST should send it as binary data.
/// </summary>
internal sealed record V2RequestedOutput(string Name, int? Classification = null, bool Binary = false);
