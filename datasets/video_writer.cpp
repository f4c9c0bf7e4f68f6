#include "datasets/video_writer.h"

#include "datasets/gif_writer.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"

#ifdef DREAMWALK_HAS_FFMPEG
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}
#endif

namespace dw::data {

#ifndef DREAMWALK_HAS_FFMPEG

bool can_write_video() { return false; }

void write_mp4(const std::vector<Image>&, const std::filesystem::path& path, int, int) {
  throw UserError(path.string() + ": this build has no FFmpeg libraries, so it cannot write MP4");
}

#else

bool can_write_video() { return true; }

namespace {

// Owns every FFmpeg object of one encode so all error paths release them.
struct Encoder {
  AVFormatContext* format = nullptr;
  AVCodecContext* codec = nullptr;
  AVFrame* frame = nullptr;
  AVPacket* packet = nullptr;
  SwsContext* scaler = nullptr;
  AVStream* stream = nullptr;
  ~Encoder() {
    sws_freeContext(scaler);
    av_packet_free(&packet);
    av_frame_free(&frame);
    avcodec_free_context(&codec);
    if (format) {
      if (format->pb) avio_closep(&format->pb);
      avformat_free_context(format);
    }
  }
};

void check(int result, const std::filesystem::path& path, const char* what) {
  if (result < 0) {
    char message[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(result, message, sizeof message);
    throw UserError(path.string() + ": " + what + " failed (" + message + ")");
  }
}

void open_encoder(Encoder& encoder, const std::filesystem::path& temporary,
                  const std::filesystem::path& path, int width, int height, int fps) {
  check(avformat_alloc_output_context2(&encoder.format, nullptr, "mp4", temporary.c_str()), path,
        "creating the MP4 container");
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_H264);
  if (!codec) codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
  if (!codec) throw UserError(path.string() + ": libavcodec has neither an H.264 nor an MPEG-4 encoder");
  encoder.stream = avformat_new_stream(encoder.format, nullptr);
  encoder.codec = avcodec_alloc_context3(codec);
  encoder.codec->width = width;
  encoder.codec->height = height;
  encoder.codec->pix_fmt = AV_PIX_FMT_YUV420P;
  encoder.codec->time_base = AVRational{1, fps};
  encoder.codec->framerate = AVRational{fps, 1};
  encoder.codec->gop_size = 12;
  encoder.codec->thread_count = 1;  // deterministic output, and the machine is small
  if (encoder.format->oformat->flags & AVFMT_GLOBALHEADER)
    encoder.codec->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (codec->id == AV_CODEC_ID_H264) av_opt_set(encoder.codec->priv_data, "crf", "18", 0);
  else encoder.codec->bit_rate = 4'000'000;
  check(avcodec_open2(encoder.codec, codec, nullptr), path, "opening the video encoder");
  check(avcodec_parameters_from_context(encoder.stream->codecpar, encoder.codec), path,
        "configuring the stream");
  encoder.stream->time_base = encoder.codec->time_base;
  check(avio_open(&encoder.format->pb, temporary.c_str(), AVIO_FLAG_WRITE), path, "opening the file");
  check(avformat_write_header(encoder.format, nullptr), path, "writing the MP4 header");
  encoder.frame = av_frame_alloc();
  encoder.frame->format = AV_PIX_FMT_YUV420P;
  encoder.frame->width = width;
  encoder.frame->height = height;
  check(av_frame_get_buffer(encoder.frame, 0), path, "allocating a frame");
  encoder.packet = av_packet_alloc();
  encoder.scaler = sws_getContext(width, height, AV_PIX_FMT_RGB24, width, height, AV_PIX_FMT_YUV420P,
                                  SWS_POINT, nullptr, nullptr, nullptr);
}

// Sends one frame (or nullptr to flush) and writes every packet the encoder hands back.
void encode(Encoder& encoder, AVFrame* frame, const std::filesystem::path& path) {
  check(avcodec_send_frame(encoder.codec, frame), path, "encoding a frame");
  while (true) {
    const int result = avcodec_receive_packet(encoder.codec, encoder.packet);
    if (result == AVERROR(EAGAIN) || result == AVERROR_EOF) return;
    check(result, path, "encoding a frame");
    // Without a duration the MP4 timing table ends at the last frame's start and players drop it.
    if (encoder.packet->duration == 0) encoder.packet->duration = 1;
    av_packet_rescale_ts(encoder.packet, encoder.codec->time_base, encoder.stream->time_base);
    encoder.packet->stream_index = encoder.stream->index;
    check(av_interleaved_write_frame(encoder.format, encoder.packet), path, "writing a packet");
  }
}

// Copies `image` into an even-sized RGB buffer (edge pixels repeated into the padding).
std::vector<std::uint8_t> padded_rgb(const Image& image, int width, int height) {
  std::vector<std::uint8_t> rgb(static_cast<size_t>(width) * height * 3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const std::uint8_t* p = image.at(std::min(x, image.width - 1), std::min(y, image.height - 1));
      std::copy(p, p + 3, rgb.data() + (static_cast<size_t>(y) * width + x) * 3);
    }
  return rgb;
}

}  // namespace

void write_mp4(const std::vector<Image>& frames, const std::filesystem::path& path, int fps,
               int scale) {
  if (frames.empty()) throw UserError(path.string() + ": no frames to write");
  const int width = (frames.front().width * std::max(scale, 1) + 1) / 2 * 2;
  const int height = (frames.front().height * std::max(scale, 1) + 1) / 2 * 2;
  const auto temporary = temporary_path_for(path).replace_extension(".mp4");
  av_log_set_level(AV_LOG_ERROR);  // libx264 otherwise prints a page of statistics per file
  try {
    Encoder encoder;
    open_encoder(encoder, temporary, path, width, height, std::max(fps, 1));
    for (size_t i = 0; i < frames.size(); ++i) {
      if (!frames[i].same_size(frames.front()))
        throw UserError(path.string() + ": frames of different sizes cannot share one video");
      const auto rgb = padded_rgb(upscale_nearest(frames[i], scale), width, height);
      const std::uint8_t* planes[1] = {rgb.data()};
      const int strides[1] = {width * 3};
      check(av_frame_make_writable(encoder.frame), path, "preparing a frame");
      sws_scale(encoder.scaler, planes, strides, 0, height, encoder.frame->data, encoder.frame->linesize);
      encoder.frame->pts = static_cast<std::int64_t>(i);
      encode(encoder, encoder.frame, path);
    }
    encode(encoder, nullptr, path);
    check(av_write_trailer(encoder.format), path, "finishing the MP4");
  } catch (...) {
    std::filesystem::remove(temporary);
    throw;
  }
  rename_into_place(temporary, path);
}

#endif

}  // namespace dw::data
