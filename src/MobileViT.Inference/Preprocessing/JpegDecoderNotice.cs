using Microsoft.Extensions.Logging;

namespace MobileViT.Inference.Preprocessing;

/// <summary>Says once per process which JPEG decoder runs: information with libturbojpeg, a warning on the SkiaSharp fallback.</summary>
public static class JpegDecoderNotice
{
    private static int _logged;

    public static void LogOnce(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (Interlocked.Exchange(ref _logged, 1) == 1)
            return;
        Log(logger, ImagePreprocessor.JpegDecoderFallback, ImagePreprocessor.JpegDecoderStatus);
    }

    internal static void Log(ILogger logger, bool fallback, string status)
    {
        if (fallback)
            logger.LogWarning("{JpegDecoder}", status);
        else
            logger.LogInformation("{JpegDecoder}", status);
    }
}
