package io.couchwork.camel;

import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/** The {@code shell:} component: runs a command template filled from the token in the exchange. */
@Component("shell")
public class ShellComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        ShellEndpoint endpoint = new ShellEndpoint(uri, this, remaining);
        WholeNumberOptions.check(uri, getEndpointPropertyConfigurer(), parameters);
        setProperties(endpoint, parameters);
        endpoint.validate();
        return endpoint;
    }
}
