#include "datasets/video_reader.h"

#include "nav/base/user_error.h"

#ifdef DREAMWALK_HAS_FFMPEG
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}
#include <memory>
#include <string>
#endif

namespace dw::data {

#ifndef DREAMWALK_HAS_FFMPEG

bool can_read_video() { return false; }

int read_video(const std::filesystem::path& path,
               const std::function<void(const Image&, double)>&) {
  throw UserError(path.string() +
                  ": this dreamwalk was built without FFmpeg, so --video is unavailable; "
                  "install the FFmpeg development libraries and rebuild, or export the frames "
                  "to a folder and use --frames");
}

#else

bool can_read_video() { return true; }

namespace {

std::string av_error_text(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof(text));
  return text;
}

struct FormatCloser {
  void operator()(AVFormatContext* context) const { avformat_close_input(&context); }
};
struct CodecFreer {
  void operator()(AVCodecContext* context) const { avcodec_free_context(&context); }
};
struct FrameFreer {
  void operator()(AVFrame* frame) const { av_frame_free(&frame); }
};
struct PacketFreer {
  void operator()(AVPacket* packet) const { av_packet_free(&packet); }
};
struct ScaleFreer {
  void operator()(SwsContext* context) const { sws_freeContext(context); }
};

// Everything one decode needs, freed in reverse order by the unique_ptrs.
class VideoDecoder {
 public:
  explicit VideoDecoder(const std::filesystem::path& path) : path_(path.string()) { open(); }
  int run(const std::function<void(const Image&, double)>& on_frame);

 private:
  void open();
  void fail(const std::string& what, int code = 0) const {
    throw UserError(path_ + ": " + what + (code ? " (" + av_error_text(code) + ")" : ""));
  }
  void emit(const std::function<void(const Image&, double)>& on_frame);

  std::string path_;
  std::unique_ptr<AVFormatContext, FormatCloser> format_;
  std::unique_ptr<AVCodecContext, CodecFreer> codec_;
  std::unique_ptr<AVFrame, FrameFreer> frame_{av_frame_alloc()};
  std::unique_ptr<AVPacket, PacketFreer> packet_{av_packet_alloc()};
  std::unique_ptr<SwsContext, ScaleFreer> scaler_;
  int stream_ = -1;
  double time_base_ = 0;
  double frame_period_ = 1.0 / 30.0;
  bool has_first_ = false;
  double first_time_ = 0, last_time_ = 0;
  int emitted_ = 0, skipped_ = 0;
};

void VideoDecoder::open() {
  if (!std::filesystem::is_regular_file(path_)) fail("no such video file");
  AVFormatContext* raw = nullptr;
  if (int code = avformat_open_input(&raw, path_.c_str(), nullptr, nullptr); code < 0) {
    fail("not a readable video", code);
  }
  format_.reset(raw);
  if (int code = avformat_find_stream_info(raw, nullptr); code < 0) {
    fail("cannot read the stream information", code);
  }
  const AVCodec* decoder = nullptr;
  stream_ = av_find_best_stream(raw, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
  if (stream_ < 0 || !decoder) fail("has no video stream this build can decode");
  const AVStream* stream = raw->streams[stream_];
  time_base_ = av_q2d(stream->time_base);
  const AVRational rate = av_guess_frame_rate(raw, const_cast<AVStream*>(stream), nullptr);
  if (rate.num > 0 && rate.den > 0) frame_period_ = av_q2d(av_inv_q(rate));
  codec_.reset(avcodec_alloc_context3(decoder));
  if (int code = avcodec_parameters_to_context(codec_.get(), stream->codecpar); code < 0) {
    fail("cannot set up the decoder", code);
  }
  if (int code = avcodec_open2(codec_.get(), decoder, nullptr); code < 0) {
    fail("cannot open the decoder", code);
  }
}

void VideoDecoder::emit(const std::function<void(const Image&, double)>& on_frame) {
  const AVFrame* frame = frame_.get();
  // Missing timestamps (some AVI/raw streams) fall back to one nominal period after the last.
  double time = last_time_ + frame_period_;
  if (frame->best_effort_timestamp != AV_NOPTS_VALUE) {
    time = static_cast<double>(frame->best_effort_timestamp) * time_base_;
  } else if (!has_first_) {
    time = 0;
  }
  if (has_first_ && time <= last_time_) {
    ++skipped_;
    return;
  }
  if (!has_first_) first_time_ = time;
  has_first_ = true;
  last_time_ = time;
  scaler_.reset(sws_getCachedContext(scaler_.release(), frame->width, frame->height,
                                     static_cast<AVPixelFormat>(frame->format), frame->width,
                                     frame->height, AV_PIX_FMT_RGB24, SWS_BILINEAR, nullptr,
                                     nullptr, nullptr));
  if (!scaler_) fail("cannot convert its pixel format to RGB");
  Image rgb(frame->width, frame->height);
  uint8_t* planes[4] = {rgb.pixels.data(), nullptr, nullptr, nullptr};
  int strides[4] = {frame->width * 3, 0, 0, 0};
  sws_scale(scaler_.get(), frame->data, frame->linesize, 0, frame->height, planes, strides);
  ++emitted_;
  on_frame(rgb, time - first_time_);
}

int VideoDecoder::run(const std::function<void(const Image&, double)>& on_frame) {
  auto drain = [&]() {
    for (;;) {
      const int code = avcodec_receive_frame(codec_.get(), frame_.get());
      if (code == AVERROR(EAGAIN) || code == AVERROR_EOF) return;
      if (code < 0) fail("decoding failed", code);
      emit(on_frame);
      av_frame_unref(frame_.get());
    }
  };
  for (;;) {
    const int code = av_read_frame(format_.get(), packet_.get());
    if (code == AVERROR_EOF) break;
    if (code < 0) fail("reading failed", code);
    if (packet_->stream_index == stream_) {
      const int sent = avcodec_send_packet(codec_.get(), packet_.get());
      av_packet_unref(packet_.get());
      if (sent < 0 && sent != AVERROR(EAGAIN)) fail("decoding failed", sent);
      drain();
    } else {
      av_packet_unref(packet_.get());
    }
  }
  avcodec_send_packet(codec_.get(), nullptr);  // flush frames the decoder still holds
  drain();
  if (emitted_ == 0) fail("the video has no frames");
  return skipped_;
}

}  // namespace

int read_video(const std::filesystem::path& path,
               const std::function<void(const Image&, double)>& on_frame) {
  av_log_set_level(AV_LOG_FATAL);  // our one-line UserError says what went wrong
  VideoDecoder decoder(path);
  return decoder.run(on_frame);
}

#endif

}  // namespace dw::data
