package dev.sluice.provider;

/**
 * Response bodies modelled on the providers' real wire formats (ids shortened). SSE fixtures use LF here; tests
 * derive CRLF and CR variants.
 */
final class Fixtures {
    private Fixtures() {
    }

    static final String OPENAI_CHAT = """
            {
              "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
              "object": "chat.completion",
              "created": 1741570283,
              "model": "gpt-4o-2024-08-06",
              "choices": [
                {
                  "index": 0,
                  "message": {
                    "role": "assistant",
                    "content": "Here is JSON: {\\"usage\\": {\\"prompt_tokens\\": 999999, \\"total_tokens\\": 999999}} \\u00e9",
                    "refusal": null,
                    "annotations": []
                  },
                  "logprobs": null,
                  "finish_reason": "stop"
                }
              ],
              "usage": {
                "prompt_tokens": 1117,
                "completion_tokens": 46,
                "total_tokens": 1163,
                "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
              },
              "service_tier": "default",
              "system_fingerprint": "fp_fc9f1d7035"
            }
            """;

    static final String OPENAI_CHAT_STREAM = """
            data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

            data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null}

            data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":" w\\u00f6rld"},"logprobs":null,"finish_reason":null}],"usage":null}

            data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}

            data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

            data: [DONE]

            """;

    /** No stream_options.include_usage: content only, and a streamed tool call. */
    static final String OPENAI_CHAT_STREAM_NO_USAGE = """
            data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}

            data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"city\\":"}}]},"finish_reason":null}]}

            data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\\"Paris\\"}"}}]},"finish_reason":null}]}

            data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

            data: [DONE]

            """;

    static final String OPENAI_RESPONSES = """
            {
              "id": "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b",
              "object": "response",
              "created_at": 1741476542,
              "status": "completed",
              "error": null,
              "incomplete_details": null,
              "instructions": null,
              "max_output_tokens": null,
              "model": "gpt-4.1-2025-04-14",
              "output": [
                {
                  "type": "message",
                  "id": "msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b",
                  "status": "completed",
                  "role": "assistant",
                  "content": [{"type": "output_text", "text": "In a peaceful grove beneath a silver moon...", "annotations": []}]
                }
              ],
              "parallel_tool_calls": true,
              "previous_response_id": null,
              "reasoning": {"effort": null, "summary": null},
              "store": true,
              "temperature": 1.0,
              "text": {"format": {"type": "text"}},
              "tool_choice": "auto",
              "tools": [],
              "top_p": 1.0,
              "truncation": "disabled",
              "usage": {
                "input_tokens": 36,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": 87,
                "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": 123
              },
              "user": null,
              "metadata": {}
            }
            """;

    static final String OPENAI_RESPONSES_STREAM = """
            event: response.created
            data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1741290958,"status":"in_progress","error":null,"model":"gpt-4.1-2025-04-14","output":[],"usage":null}}

            event: response.in_progress
            data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_1","object":"response","status":"in_progress","usage":null}}

            event: response.output_item.added
            data: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}

            event: response.content_part.added
            data: {"type":"response.content_part.added","sequence_number":3,"item_id":"msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}

            event: response.output_text.delta
            data: {"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi"}

            event: response.output_text.delta
            data: {"type":"response.output_text.delta","sequence_number":5,"item_id":"msg_1","output_index":0,"content_index":0,"delta":" there!"}

            event: response.output_text.done
            data: {"type":"response.output_text.done","sequence_number":6,"item_id":"msg_1","output_index":0,"content_index":0,"text":"Hi there!"}

            event: response.content_part.done
            data: {"type":"response.content_part.done","sequence_number":7,"item_id":"msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","text":"Hi there!","annotations":[]}}

            event: response.completed
            data: {"type":"response.completed","sequence_number":9,"response":{"id":"resp_1","object":"response","status":"completed","error":null,"output":[{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi there!","annotations":[]}]}],"usage":{"input_tokens":37,"input_tokens_details":{"cached_tokens":0},"output_tokens":11,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":48}}}

            """;

    static final String ANTHROPIC_MESSAGE = """
            {
              "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
              "type": "message",
              "role": "assistant",
              "model": "claude-sonnet-4-5-20250929",
              "content": [
                {"type": "text", "text": "Hello!"},
                {"type": "tool_use", "id": "toolu_01A", "name": "report", "input": {"usage": {"input_tokens": 777777, "output_tokens": 777777}}}
              ],
              "stop_reason": "end_turn",
              "stop_sequence": null,
              "usage": {
                "input_tokens": 2095,
                "cache_creation_input_tokens": 100,
                "cache_read_input_tokens": 1800,
                "cache_creation": {"ephemeral_5m_input_tokens": 100, "ephemeral_1h_input_tokens": 0},
                "output_tokens": 503,
                "service_tier": "standard"
              }
            }
            """;

    static final String ANTHROPIC_STREAM = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":10,"cache_read_input_tokens":400,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: ping
            data: {"type": "ping"}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"! \\u2603"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"location\\": \\"SF\\"}"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":1}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":15}}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

            event: message_stop
            data: {"type":"message_stop"}

            """;

    static final String ANTHROPIC_STREAM_OVERLOADED = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","content":[],"model":"claude-opus-4-1","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":1}}}

            event: ping
            data: {"type": "ping"}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me think"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"}}

            event: error
            data: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}

            """;

    static final String GEMINI = """
            {
              "candidates": [
                {
                  "content": {
                    "parts": [{"text": "AI learns patterns from data."}],
                    "role": "model"
                  },
                  "finishReason": "STOP",
                  "avgLogprobs": -0.12345678901234567e-2,
                  "index": 0
                }
              ],
              "usageMetadata": {
                "promptTokenCount": 8,
                "candidatesTokenCount": 7,
                "totalTokenCount": 35,
                "thoughtsTokenCount": 20,
                "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 8}]
              },
              "modelVersion": "gemini-2.5-flash",
              "responseId": "ab3iaOvHB5zZ1e8P9bOa2Qs"
            }
            """;

    /** streamGenerateContent?alt=sse: Gemini ends its events with CRLF CRLF. */
    static final String GEMINI_SSE =
            "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"The\"}],\"role\": \"model\"},\"index\": 0}],"
                    + "\"usageMetadata\": {\"promptTokenCount\": 9,\"totalTokenCount\": 9,\"promptTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": 9}]},"
                    + "\"modelVersion\": \"gemini-2.0-flash\"}\r\n\r\n"
                    + "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \" sky is blue\"}],\"role\": \"model\"},\"index\": 0}],"
                    + "\"usageMetadata\": {\"promptTokenCount\": 9,\"candidatesTokenCount\": 4,\"totalTokenCount\": 13},"
                    + "\"modelVersion\": \"gemini-2.0-flash\"}\r\n\r\n"
                    + "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \".\"}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": 0}],"
                    + "\"usageMetadata\": {\"promptTokenCount\": 9,\"candidatesTokenCount\": 5,\"totalTokenCount\": 14,"
                    + "\"promptTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": 9}],"
                    + "\"candidatesTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": 5}]},"
                    + "\"modelVersion\": \"gemini-2.0-flash\"}\r\n\r\n";

    /** streamGenerateContent without alt=sse: one JSON array of responses, written out piece by piece. */
    static final String GEMINI_ARRAY = """
            [{
              "candidates": [{"content": {"parts": [{"text": "Once"}], "role": "model"}, "index": 0}],
              "usageMetadata": {"promptTokenCount": 6, "totalTokenCount": 6},
              "modelVersion": "gemini-2.5-pro"
            }
            ,
            {
              "candidates": [{"content": {"parts": [{"text": " upon a time"}], "role": "model"}, "index": 0}],
              "usageMetadata": {"promptTokenCount": 6, "candidatesTokenCount": 4, "totalTokenCount": 10},
              "modelVersion": "gemini-2.5-pro"
            }
            ,
            {
              "candidates": [{"content": {"parts": [{"text": "."}], "role": "model"}, "finishReason": "STOP", "index": 0}],
              "usageMetadata": {"promptTokenCount": 6, "candidatesTokenCount": 5, "totalTokenCount": 40, "thoughtsTokenCount": 29},
              "modelVersion": "gemini-2.5-pro"
            }
            ]""";

    static final String GEMINI_SSE_UNAVAILABLE =
            "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hi\"}],\"role\": \"model\"},\"index\": 0}]}\r\n\r\n"
                    + "data: {\"error\": {\"code\": 503, \"message\": \"The model is overloaded. Please try again later.\", \"status\": \"UNAVAILABLE\"}}\r\n\r\n";

    /** vLLM (OpenAI-compatible) with continuous_usage_stats: cumulative usage in every chunk, a comment line, an id. */
    static final String VLLM_STREAM = """
            : keep-alive

            id: 1
            data: {"id":"cmpl-1","object":"chat.completion.chunk","created":1,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning_content":"hm"},"logprobs":null,"finish_reason":null}],"usage":{"prompt_tokens":20,"total_tokens":21,"completion_tokens":1}}

            id: 2
            data: {"id":"cmpl-1","object":"chat.completion.chunk","created":1,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[{"index":0,"delta":{"content":"Yes"},"logprobs":null,"finish_reason":null}],"usage":{"prompt_tokens":20,"total_tokens":22,"completion_tokens":2}}

            id: 3
            data: {"id":"cmpl-1","object":"chat.completion.chunk","created":1,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[{"index":0,"delta":{"content":"."},"logprobs":null,"finish_reason":"stop","stop_reason":null}],"usage":{"prompt_tokens":20,"total_tokens":23,"completion_tokens":3}}

            data: [DONE]

            """;

    /** Ollama /api/chat stream: NDJSON with the counts on the last line. */
    static final String OLLAMA_NDJSON = """
            {"model":"llama3.2","created_at":"2024-07-22T20:33:28.123Z","message":{"role":"assistant","content":"The"},"done":false}
            {"model":"llama3.2","created_at":"2024-07-22T20:33:28.223Z","message":{"role":"assistant","content":" end"},"done":false}
            {"model":"llama3.2","created_at":"2024-07-22T20:33:28.323Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":4883583458,"load_duration":1334875,"prompt_eval_count":26,"prompt_eval_duration":342546000,"eval_count":282,"eval_duration":4535599000}
            """;

    /** A data payload split over several data lines of one event (allowed by the SSE spec). */
    static final String MULTILINE_DATA = """
            event: message_delta
            data: {"type":"message_delta",
            data:  "usage":
            data: {"output_tokens":42}}

            data:{"type":"message_start","message":{"usage":{"input_tokens":7}}}

            """;
}
