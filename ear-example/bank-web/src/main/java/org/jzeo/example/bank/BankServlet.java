package org.jzeo.example.bank;

import jakarta.ejb.EJB;
import jakarta.ejb.EJBException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The bank over HTTP, plain text in and out:
 * <ul>
 *   <li>{@code POST /accounts?names=a,b,c&balance=100}: opens the accounts that do not exist yet →
 *       {@code opened N};</li>
 *   <li>{@code POST /transfer?from=a&to=b&amount=5[&fail=true]}: one transfer, run again on a retryable failure
 *       (a conflict with a concurrent transfer, a lost storage connection) → 200 {@code transferred attempts=N};
 *       404 unknown account, 409 insufficient funds, 500 {@code rolled back: …} when {@code fail=true}, 503 when
 *       every attempt failed;</li>
 *   <li>{@code GET /balances?source=storage|journal}: one {@code name=balance} line per account, from jzeo or
 *       from the journal.</li>
 * </ul>
 */
@WebServlet({"/accounts", "/transfer", "/balances"})
public class BankServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(BankServlet.class.getName());

    @EJB
    private Bank bank;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain;charset=UTF-8");
        try {
            switch (request.getServletPath()) {
                case "/accounts" -> {
                    List<String> names = Arrays.stream(required(request, "names").split(","))
                            .map(String::trim).filter(n -> !n.isEmpty()).toList();
                    int opened = bank.open(names, Long.parseLong(required(request, "balance")));
                    response.getWriter().print("opened " + opened);
                }
                case "/transfer" -> transfer(request, response);
                default -> response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            }
        } catch (IllegalArgumentException e) {
            answer(response, HttpServletResponse.SC_BAD_REQUEST, e.getMessage());
        }
    }

    private void transfer(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String from = required(request, "from");
        String to = required(request, "to");
        long amount = Long.parseLong(required(request, "amount"));
        boolean fail = Boolean.parseBoolean(request.getParameter("fail"));
        EJBException last = null;
        for (int attempt = 1; attempt <= Retries.MAX_ATTEMPTS; attempt++) {
            try {
                bank.transfer(from, to, amount, fail);
                response.getWriter().print("transferred attempts=" + attempt);
                return;
            } catch (UnknownAccount e) {
                answer(response, HttpServletResponse.SC_NOT_FOUND, e.getMessage());
                return;
            } catch (InsufficientFunds e) {
                answer(response, HttpServletResponse.SC_CONFLICT, e.getMessage());
                return;
            } catch (TransferAborted e) {
                answer(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "rolled back: " + e.getMessage());
                return;
            } catch (EJBException e) {
                if (!Retries.isRetryable(e)) {
                    LOG.log(Level.WARNING, "transfer from " + from + " to " + to + " failed", e);
                    answer(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "failed: " + e);
                    return;
                }
                last = e;
                LOG.fine(() -> "transfer attempt failed, trying again: " + e);
                try {
                    Retries.backOff(attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        LOG.log(Level.WARNING, "transfer from " + from + " to " + to + " failed " + Retries.MAX_ATTEMPTS
                + " times", last);
        answer(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "gave up after " + Retries.MAX_ATTEMPTS
                + " attempts: " + last);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain;charset=UTF-8");
        if (!"/balances".equals(request.getServletPath())) {
            response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        String source = request.getParameter("source");
        Map<String, Long> balances;
        if ("storage".equals(source)) {
            balances = bank.storedBalances();
        } else if ("journal".equals(source)) {
            balances = bank.journaledBalances();
        } else {
            answer(response, HttpServletResponse.SC_BAD_REQUEST, "source must be storage or journal");
            return;
        }
        StringBuilder text = new StringBuilder();
        balances.forEach((name, balance) -> text.append(name).append('=').append(balance).append('\n'));
        response.getWriter().print(text);
    }

    private static String required(HttpServletRequest request, String name) {
        String value = request.getParameter(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("missing parameter " + name);
        }
        return value;
    }

    private static void answer(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.getWriter().print(message);
    }
}
