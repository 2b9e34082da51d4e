namespace MobileViT.Inference.Models;

/// <summary>
/// Where a model's requests go at one moment, replaced as a whole when versions change, so every request sees one
/// consistent route: the default version (requests that name none), every ready version by number (requests that pin
/// one), and the shadow of the default, with the fraction of default requests it also runs.
/// </summary>
internal sealed record ModelRoute(ServedModel? Default, IReadOnlyDictionary<int, ServedModel> Versions, ServedModel? Shadow, double ShadowSample)
{
    public static ModelRoute Empty { get; } = new(null, new Dictionary<int, ServedModel>(), null, 0);
}
