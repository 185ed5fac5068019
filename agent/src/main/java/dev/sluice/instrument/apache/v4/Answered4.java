package dev.sluice.instrument.apache.v4;

import dev.sluice.client.SyntheticResponse;
import org.apache.http.HttpVersion;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.message.BasicHttpResponse;

/**
 * A refusal with {@code reject=http}, as the {@code CloseableHttpResponse} a 4.x {@code execute} returns (Apache's
 * own implementation is package-private). Nothing to release on close: the call never took a connection.
 */
final class Answered4 extends BasicHttpResponse implements CloseableHttpResponse {
    Answered4(SyntheticResponse answer) {
        super(HttpVersion.HTTP_1_1, answer.status(), answer.statusText());
        for (int i = 0; i < answer.headerCount(); i++) addHeader(answer.headerName(i), answer.headerValue(i));
        setEntity(new ByteArrayEntity(answer.body(), ContentType.APPLICATION_JSON));
    }

    @Override
    public void close() {
        // nothing held
    }
}
