using MobileViT.Inference.Configuration;

namespace MobileViT.Inference.Sources;

/// <summary>Where the hub is and where its files are cached; by default from the standard HF_ENDPOINT, HF_TOKEN and HF_HOME variables.</summary>
public sealed record HuggingFaceHubSettings(string Endpoint, string? Token, string CacheDirectory)
{
    public const string DefaultEndpoint = "https://huggingface.co";

    public static HuggingFaceHubSettings Resolve(HuggingFaceOptions options)
    {
        var endpoint = FirstSet(options.Endpoint, Environment.GetEnvironmentVariable("HF_ENDPOINT"));
        var token = FirstSet(options.Token, Environment.GetEnvironmentVariable("HF_TOKEN"));
        var cache = options.CacheDirectory;
        if (string.IsNullOrWhiteSpace(cache))
        {
            var hfHome = Environment.GetEnvironmentVariable("HF_HOME");
            cache = !string.IsNullOrWhiteSpace(hfHome)
                ? Path.Combine(hfHome, "mobilevit")
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mobilevit");
        }
        return new HuggingFaceHubSettings(
            string.IsNullOrWhiteSpace(endpoint) ? DefaultEndpoint : endpoint,
            string.IsNullOrWhiteSpace(token) ? null : token,
            cache);
    }

    private static string? FirstSet(string? a, string? b) => string.IsNullOrWhiteSpace(a) ? b : a;
}
