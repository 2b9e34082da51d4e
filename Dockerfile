# MobileViT.Service images.
#   CPU (default, last stage):  docker build -t mobilevit-service:cpu .
#   GPU (CUDA 13 + cuDNN 9):     docker build --target gpu -t mobilevit-service:gpu .
# Build with BuildKit (the default of current Docker): it builds only the stages the chosen target needs.
# Ports: 8080 HTTP (REST, health, /metrics), 8081 gRPC (HTTP/2). Runs as the non-root user `app` (uid 1654) and works
# with a read-only root filesystem: the hf: model cache is the volume /var/cache/mobilevit; /tmp should be a tmpfs.
ARG CUDA_IMAGE=nvidia/cuda:13.0.1-cudnn-runtime-ubuntu24.04

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so code changes reuse the (large: ONNX Runtime) package layer.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/MobileViT.Inference/MobileViT.Inference.csproj src/MobileViT.Inference/
COPY src/MobileViT.Modeling/MobileViT.Modeling.csproj src/MobileViT.Modeling/
COPY src/MobileViT.Protos/MobileViT.Protos.csproj src/MobileViT.Protos/
COPY src/MobileViT.Service/MobileViT.Service.csproj src/MobileViT.Service/
RUN dotnet restore src/MobileViT.Service/MobileViT.Service.csproj -r linux-x64
COPY . .
RUN dotnet publish src/MobileViT.Service/MobileViT.Service.csproj -c Release -r linux-x64 --self-contained false \
      -p:UseAppHost=false -o /app \
 # The ONNX Runtime GPU package also copies its Windows binaries; TensorRT's provider needs libraries neither image has.
 && rm -f /app/onnxruntime*.dll /app/libonnxruntime_providers_tensorrt.so

# The windowed JPEG decoder's native part (src/MobileViT.Inference/Preprocessing/Native/mobilevit_jpeg.c), compiled
# against each runtime image's own libjpeg-turbo (Debian's libjpeg62-turbo, Ubuntu's libjpeg-turbo8): the SDK stage
# above has no C compiler, so the publish output lacks it and these stages supply it.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS jpeg-cpu
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev libjpeg62-turbo-dev \
 && rm -rf /var/lib/apt/lists/*
COPY src/MobileViT.Inference/Preprocessing/Native/mobilevit_jpeg.c /src/
RUN mkdir /out && gcc -O2 -Wall -shared -fPIC -o /out/libmobilevit_jpeg.so /src/mobilevit_jpeg.c -ljpeg

FROM ${CUDA_IMAGE} AS jpeg-gpu
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev libjpeg-turbo8-dev \
 && rm -rf /var/lib/apt/lists/*
COPY src/MobileViT.Inference/Preprocessing/Native/mobilevit_jpeg.c /src/
RUN mkdir /out && gcc -O2 -Wall -shared -fPIC -o /out/libmobilevit_jpeg.so /src/mobilevit_jpeg.c -ljpeg

# The CPU image leaves out ONNX Runtime's CUDA provider (~280 MB); the service logs that CUDA is unavailable and runs on CPU.
FROM build AS publish-cpu
RUN rm -f /app/libonnxruntime_providers_cuda.so

FROM ${CUDA_IMAGE} AS gpu
ENV PATH=/usr/share/dotnet:$PATH \
    DOTNET_ROOT=/usr/share/dotnet \
    DOTNET_RUNNING_IN_CONTAINER=true \
    APP_UID=1654
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3t64 libturbojpeg libjpeg-turbo8 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 1654 app && useradd --uid 1654 --gid 1654 --no-create-home --shell /bin/sh app
COPY --from=mcr.microsoft.com/dotnet/aspnet:10.0 /usr/share/dotnet /usr/share/dotnet
RUN mkdir -p /var/cache/mobilevit && chown 1654:1654 /var/cache/mobilevit
WORKDIR /app
COPY --from=build /app .
COPY --from=jpeg-gpu /out/libmobilevit_jpeg.so .
ENV ASPNETCORE_HTTP_PORTS= \
    Kestrel__Endpoints__Http__Url=http://0.0.0.0:8080 \
    MobileViT__HuggingFace__CacheDirectory=/var/cache/mobilevit \
    MobileViT__Execution__Providers=CUDA,CPU
VOLUME /var/cache/mobilevit
EXPOSE 8080 8081
USER 1654
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${MOBILEVIT_HEALTH_PORT:-8080} && printf 'GET /health/ready HTTP/1.0\\r\\n\\r\\n' >&3 && read -r _ code _ <&3 && [ \"$code\" = 200 ]"]
ENTRYPOINT ["dotnet", "MobileViT.Service.dll"]

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS cpu
# libjpeg-turbo, built with SIMD (Ubuntu's packages above are libturbojpeg and libjpeg-turbo8): its libjpeg for the
# windowed decoder, its TurboJPEG library for whole images; JPEGs decode 3x as fast as with SkiaSharp's bundled
# non-SIMD libjpeg-turbo, which the service falls back to (with a warning) without them.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libturbojpeg0 libjpeg62-turbo \
 && rm -rf /var/lib/apt/lists/*
RUN mkdir -p /var/cache/mobilevit && chown 1654:1654 /var/cache/mobilevit
WORKDIR /app
COPY --from=publish-cpu /app .
COPY --from=jpeg-cpu /out/libmobilevit_jpeg.so .
ENV ASPNETCORE_HTTP_PORTS= \
    Kestrel__Endpoints__Http__Url=http://0.0.0.0:8080 \
    MobileViT__HuggingFace__CacheDirectory=/var/cache/mobilevit \
    MobileViT__Execution__Providers=CPU
VOLUME /var/cache/mobilevit
EXPOSE 8080 8081
USER 1654
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${MOBILEVIT_HEALTH_PORT:-8080} && printf 'GET /health/ready HTTP/1.0\\r\\n\\r\\n' >&3 && read -r _ code _ <&3 && [ \"$code\" = 200 ]"]
ENTRYPOINT ["dotnet", "MobileViT.Service.dll"]
