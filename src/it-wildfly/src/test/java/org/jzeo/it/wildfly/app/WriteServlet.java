package org.jzeo.it.wildfly.app;

import jakarta.ejb.EJB;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code POST /write?text=...[&fail=true]}: calls {@link Writer} (a container-managed transaction). Answers 200 with
 * {@code committed oid=N tx=... inTransaction=... factory=...}, or 409 with {@code rolled-back oid=N}.
 */
@WebServlet("/write")
public class WriteServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @EJB
    private Writer writer;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String text = request.getParameter("text");
        boolean fail = Boolean.parseBoolean(request.getParameter("fail"));
        response.setContentType("text/plain;charset=UTF-8");
        try {
            Writer.Written written = writer.write(text, fail);
            response.getWriter().print("committed oid=" + written.oid() + " tx=" + written.transaction()
                    + " inTransaction=" + written.inTransaction() + " factory=" + written.factoryClass());
        } catch (RolledBack e) {
            response.setStatus(HttpServletResponse.SC_CONFLICT);
            response.getWriter().print("rolled-back oid=" + e.oid());
        }
    }
}
