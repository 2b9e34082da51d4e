using System.Reflection;
using System.Security.Cryptography;

namespace MobileViT.Service.Http;

/// <summary>The web page's files, read once from the resources embedded in the service assembly (wwwroot/).</summary>
internal sealed class PageAssets
{
    private const string Prefix = "wwwroot/";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
    };

    private readonly Dictionary<string, PageAsset> _assets;

    private PageAssets(Dictionary<string, PageAsset> assets) => _assets = assets;

    public static PageAssets Load(Assembly assembly)
    {
        var assets = new Dictionary<string, PageAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var contentType = ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream");
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8)) + "\"";
            assets[name[Prefix.Length..]] = new PageAsset(bytes, contentType, etag);
        }
        return new PageAssets(assets);
    }

    public bool TryGet(string path, out PageAsset asset) => _assets.TryGetValue(path, out asset!);
}

/// <summary>One file of the page: its bytes, media type and a strong ETag from its content.</summary>
internal sealed record PageAsset(byte[] Content, string ContentType, string ETag);
