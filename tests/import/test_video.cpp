#include "test_video.h"

#ifdef DREAMWALK_HAS_FFMPEG
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
}
#include <stdexcept>
#endif

namespace dw::data::testing {

#ifndef DREAMWALK_HAS_FFMPEG
bool write_test_video(const std::vector<Image>&, const std::filesystem::path&, int, const std::string&) {
  return false;
}
#else

namespace {
void check(int code, const char* what) {
  if (code < 0) throw std::runtime_error(std::string("test video: ") + what + " failed (" + std::to_string(code) + ")");
}

void send(AVCodecContext* codec, AVFrame* frame, AVFormatContext* format, AVStream* stream) {
  check(avcodec_send_frame(codec, frame), "send_frame");
  AVPacket* packet = av_packet_alloc();
  while (avcodec_receive_packet(codec, packet) == 0) {
    if (packet->duration == 0) packet->duration = 1;  // so the container's length covers the last frame
    av_packet_rescale_ts(packet, codec->time_base, stream->time_base);
    packet->stream_index = stream->index;
    check(av_interleaved_write_frame(format, packet), "write_frame");
  }
  av_packet_free(&packet);
}
}  // namespace

bool write_test_video(const std::vector<Image>& frames, const std::filesystem::path& path, int fps,
                      const std::string& encoder_name) {
  const AVCodec* encoder = avcodec_find_encoder_by_name(encoder_name.c_str());
  if (!encoder || frames.empty()) return false;
  const int width = frames[0].width, height = frames[0].height;
  AVFormatContext* format = nullptr;
  check(avformat_alloc_output_context2(&format, nullptr, nullptr, path.c_str()), "output context");
  AVStream* stream = avformat_new_stream(format, nullptr);
  AVCodecContext* codec = avcodec_alloc_context3(encoder);
  codec->width = width;
  codec->height = height;
  codec->pix_fmt = encoder->id == AV_CODEC_ID_FFV1 ? AV_PIX_FMT_BGR0 : AV_PIX_FMT_YUV420P;
  codec->time_base = AVRational{1, fps};
  codec->framerate = AVRational{fps, 1};
  codec->bit_rate = 2'000'000;
  if (format->oformat->flags & AVFMT_GLOBALHEADER) codec->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  check(avcodec_open2(codec, encoder, nullptr), "open encoder");
  check(avcodec_parameters_from_context(stream->codecpar, codec), "parameters");
  stream->time_base = codec->time_base;
  check(avio_open(&format->pb, path.c_str(), AVIO_FLAG_WRITE), "avio_open");
  check(avformat_write_header(format, nullptr), "header");
  AVFrame* frame = av_frame_alloc();
  frame->format = codec->pix_fmt;
  frame->width = width;
  frame->height = height;
  check(av_frame_get_buffer(frame, 0), "frame buffer");
  SwsContext* scaler = sws_getContext(width, height, AV_PIX_FMT_RGB24, width, height, codec->pix_fmt,
                                      SWS_POINT, nullptr, nullptr, nullptr);
  for (size_t i = 0; i < frames.size(); ++i) {
    check(av_frame_make_writable(frame), "writable");
    const std::uint8_t* planes[1] = {frames[i].pixels.data()};
    const int strides[1] = {width * 3};
    sws_scale(scaler, planes, strides, 0, height, frame->data, frame->linesize);
    frame->pts = static_cast<std::int64_t>(i);
    send(codec, frame, format, stream);
  }
  send(codec, nullptr, format, stream);
  check(av_write_trailer(format), "trailer");
  sws_freeContext(scaler);
  av_frame_free(&frame);
  avcodec_free_context(&codec);
  avio_closep(&format->pb);
  avformat_free_context(format);
  return true;
}

#endif

}  // namespace dw::data::testing
