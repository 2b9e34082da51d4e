using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace MobileViT.Inference.Sources;

/// <summary>
/// Downloads files of a Hugging Face model repository from <c>{endpoint}/{repo}/resolve/{revision}/{path}</c> into a
/// local cache, writing each file atomically (temporary file, then rename) and reusing cached files without any request.
/// </summary>
public sealed class HuggingFaceHubClient(HttpClient http, HuggingFaceHubSettings settings, ILogger<HuggingFaceHubClient> logger)
{
    public HuggingFaceHubSettings Settings { get; } = settings;

    /// <summary>The directory a repository's files are cached in.</summary>
    public string CacheDirectoryFor(string repository, string revision) =>
        Path.Combine(Settings.CacheDirectory, "models--" + repository.Replace("/", "--"), SafeSegment(revision));

    /// <summary>Makes sure every file is in the cache and returns the cache directory of the repository.</summary>
    public async Task<string> EnsureFilesAsync(string repository, string revision, IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var directory = CacheDirectoryFor(repository, revision);
        foreach (var file in files)
        {
            var target = Path.Combine(directory, file);
            if (File.Exists(target))
            {
                logger.LogDebug("hf:{Repository}/{File} ({Revision}) found in cache {Path}", repository, file, revision, target);
                continue;
            }
            if (!await DownloadAsync(repository, revision, file, target, cancellationToken).ConfigureAwait(false))
                throw NotFound(repository, revision, file);
        }
        return directory;
    }

    /// <summary>
    /// The cached path of one file, downloaded if it is not cached; null when the hub answers 404 (the repository does
    /// not publish it). Other failures throw as <see cref="EnsureFilesAsync"/> does.
    /// </summary>
    public async Task<string?> TryEnsureFileAsync(string repository, string revision, string file, CancellationToken cancellationToken)
    {
        var target = Path.Combine(CacheDirectoryFor(repository, revision), file);
        if (File.Exists(target))
            return target;
        return await DownloadAsync(repository, revision, file, target, cancellationToken).ConfigureAwait(false) ? target : null;
    }

    /// <summary>Whether a file is in the cache, without any request.</summary>
    public bool IsCached(string repository, string revision, string file) => File.Exists(Path.Combine(CacheDirectoryFor(repository, revision), file));

    private ModelSourceException NotFound(string repository, string revision, string file) => new(
        $"Downloading {Url(repository, revision, file)} failed with HTTP 404 Not Found. Check the repository name, the revision " +
        $"'{revision}' and the file path (MobileViT__Models__N__OnnxFile).");

    private string Url(string repository, string revision, string file) =>
        $"{Settings.Endpoint.TrimEnd('/')}/{repository}/resolve/{Uri.EscapeDataString(revision)}/{file}";

    /// <summary>False when the hub answers 404.</summary>
    private async Task<bool> DownloadAsync(string repository, string revision, string file, string target, CancellationToken cancellationToken)
    {
        var url = Url(repository, revision, file);
        logger.LogInformation("Downloading {Url} to {Path}", url, target);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (!string.IsNullOrEmpty(Settings.Token))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Settings.Token);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ModelSourceException(
                $"Could not reach {Settings.Endpoint} to download hf:{repository} ({e.Message}), and '{file}' is not cached in " +
                $"{CacheDirectoryFor(repository, revision)}. Connect to the network, point HF_ENDPOINT at a reachable mirror, " +
                "copy the files into the cache, or configure a local model directory or synthetic:{xxs|xs|s} instead.", e);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
                return false;
            if (!response.IsSuccessStatusCode)
            {
                var hint = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                    ? " The repository may be gated or private: set HF_TOKEN."
                    : "";
                throw new ModelSourceException($"Downloading {url} failed with HTTP {(int)response.StatusCode} {response.ReasonPhrase}.{hint}");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var partial = $"{target}.{Guid.NewGuid():N}.partial";
            try
            {
                await using (var output = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                {
                    await response.Content.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
                var expected = response.Content.Headers.ContentLength;
                var actual = new FileInfo(partial).Length;
                if (expected is { } length && length != actual)
                    throw new ModelSourceException($"Downloading {url} ended after {actual} of {length} bytes.");
                File.Move(partial, target, overwrite: true);
            }
            catch (Exception e) when (e is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                throw new ModelSourceException($"Downloading {url} failed part-way: {e.Message}", e);
            }
            finally
            {
                if (File.Exists(partial))
                    File.Delete(partial);
            }
        }
        return true;
    }

    private static string SafeSegment(string revision) =>
        string.Concat(revision.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
}
