/*
 * libmobilevit_jpeg: libjpeg(-turbo)'s scanline API with errors returned instead of exit().
 *
 * The service decodes JPEGs a band of rows at a time straight into the resize, and only the columns and rows the
 * centre crop keeps (jpeg_crop_scanline, jpeg_skip_scanlines). Those calls exist only in libjpeg's own API, whose
 * default error handler calls exit() and whose documented way to recover is setjmp/longjmp around every call; .NET
 * cannot do that itself (an exception cannot cross native frames), so this file does it. Nothing else lives here:
 * the caller owns all geometry and memory. Decoding settings are TurboJPEG's defaults (ISLOW IDCT, fancy upsampling,
 * RGB out), so pixels are identical to tjDecompress2's; any warning (corrupt or truncated data) is an error, as with
 * TJFLAG_STOPONWARNING, and progressive images with more than 500 scans are refused, as with TJFLAG_LIMITSCANS.
 *
 * Built by src/MobileViT.Inference/MobileViT.Inference.csproj where a C compiler and libjpeg's headers are present,
 * and by the Dockerfile; without it the service decodes whole images with libturbojpeg and logs that it does.
 */
#include <setjmp.h>
#include <stdio.h> /* jpeglib.h needs FILE */
#include <stdlib.h>
#include <jpeglib.h>

#define MAX_SCANS 500
#define ROWS_PER_CALL 32

typedef struct mvj_decoder {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr error;
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
} mvj_decoder;

static void fail(j_common_ptr cinfo)
{
    longjmp(((mvj_decoder *)cinfo->client_data)->jump, 1);
}

static void message(j_common_ptr cinfo, int level)
{
    if (level < 0) /* a warning: corrupt data, a premature end */
        fail(cinfo);
}

static void progress(j_common_ptr cinfo)
{
    j_decompress_ptr dinfo = (j_decompress_ptr)cinfo;
    if (cinfo->is_decompressor && dinfo->progressive_mode && dinfo->input_scan_number > MAX_SCANS)
        fail(cinfo);
}

mvj_decoder *mvj_create(void)
{
    mvj_decoder *volatile d = calloc(1, sizeof *d);
    if (d == NULL)
        return NULL;
    d->cinfo.err = jpeg_std_error(&d->error);
    d->error.error_exit = fail;
    d->error.emit_message = message;
    d->cinfo.client_data = d;
    if (setjmp(d->jump)) {
        free(d);
        return NULL;
    }
    jpeg_create_decompress(&d->cinfo);
    d->progress.progress_monitor = progress;
    d->cinfo.progress = &d->progress;
    return d;
}

void mvj_destroy(mvj_decoder *d)
{
    if (d == NULL)
        return;
    jpeg_destroy_decompress(&d->cinfo);
    free(d);
}

/*
 * Reads the header and starts decoding to RGB at 1/denominator scale, then crops to the output columns
 * [*x, *x + *width) (libjpeg widens that to whole iMCU columns and reports what it will decode in both).
 * *out_width and *out_height are the full image's size at that scale. Returns 0, 1 for a CMYK or YCCK image (left
 * to the caller's other decoder), or -1. The data must stay put until mvj_finish.
 */
int mvj_start(mvj_decoder *d, const unsigned char *data, unsigned long size, int denominator,
              int *out_width, int *out_height, int *x, int *width)
{
    struct jpeg_decompress_struct *cinfo = &d->cinfo;
    if (setjmp(d->jump)) {
        jpeg_abort_decompress(cinfo);
        return -1;
    }
    jpeg_mem_src(cinfo, data, size);
    jpeg_read_header(cinfo, TRUE);
    if (cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK) {
        jpeg_abort_decompress(cinfo);
        return 1;
    }
    cinfo->out_color_space = JCS_EXT_RGB;
    cinfo->scale_num = 1;
    cinfo->scale_denom = (unsigned int)denominator;
    jpeg_start_decompress(cinfo);
    *out_width = (int)cinfo->output_width;
    *out_height = (int)cinfo->output_height;
    if (*x > 0 || *width < *out_width) {
        JDIMENSION offset = (JDIMENSION)*x, columns = (JDIMENSION)*width;
        jpeg_crop_scanline(cinfo, &offset, &columns);
        *x = (int)offset;
        *width = (int)columns;
    }
    return 0;
}

/* Skips rows without computing their pixels (their entropy-coded data is still read). Returns 0 or -1. */
int mvj_skip(mvj_decoder *d, int rows)
{
    if (setjmp(d->jump)) {
        jpeg_abort_decompress(&d->cinfo);
        return -1;
    }
    if (rows > 0 && jpeg_skip_scanlines(&d->cinfo, (JDIMENSION)rows) != (JDIMENSION)rows) {
        jpeg_abort_decompress(&d->cinfo);
        return -1;
    }
    return 0;
}

/* Decodes the next rows (each of the cropped width, 3 bytes per pixel) to destination, pitch bytes apart. 0 or -1. */
int mvj_read(mvj_decoder *d, unsigned char *destination, long pitch, int rows)
{
    struct jpeg_decompress_struct *cinfo = &d->cinfo;
    JSAMPROW pointers[ROWS_PER_CALL];
    volatile int done = 0;
    if (setjmp(d->jump)) {
        jpeg_abort_decompress(cinfo);
        return -1;
    }
    while (done < rows) {
        int want = rows - done < ROWS_PER_CALL ? rows - done : ROWS_PER_CALL;
        for (int i = 0; i < want; i++)
            pointers[i] = destination + (long)(done + i) * pitch;
        JDIMENSION got = jpeg_read_scanlines(cinfo, pointers, (JDIMENSION)want);
        if (got == 0) {
            jpeg_abort_decompress(cinfo);
            return -1;
        }
        done += (int)got;
    }
    return 0;
}

/*
 * Reads what is left of the image and checks it to the end, so that corrupt or truncated data below the rows used is
 * refused as a whole-image decode would refuse it. The rows are skipped (entropy-decoded, their pixels not computed)
 * up to the last, which is decoded: skipping to the very end would stop reading. Returns 0 or -1.
 */
int mvj_finish(mvj_decoder *d)
{
    struct jpeg_decompress_struct *cinfo = &d->cinfo;
    if (setjmp(d->jump)) {
        jpeg_abort_decompress(cinfo);
        return -1;
    }
    if (cinfo->output_scanline + 1 < cinfo->output_height)
        jpeg_skip_scanlines(cinfo, cinfo->output_height - cinfo->output_scanline - 1);
    if (cinfo->output_scanline < cinfo->output_height) {
        /* From the image's own pool: freed with the image, and an allocation failure is an error like any other. */
        JSAMPARRAY row = (*cinfo->mem->alloc_sarray)((j_common_ptr)cinfo, JPOOL_IMAGE,
                                                     cinfo->output_width * (JDIMENSION)cinfo->output_components, 1);
        if (jpeg_read_scanlines(cinfo, row, 1) != 1) {
            jpeg_abort_decompress(cinfo);
            return -1;
        }
    }
    jpeg_finish_decompress(cinfo);
    return 0;
}

/* Abandons the image being decoded; the decoder can start another. */
void mvj_abort(mvj_decoder *d) { jpeg_abort_decompress(&d->cinfo); }
